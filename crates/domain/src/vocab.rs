//! Closed vocabularies: a stored code and a message key per value (`vocabulary!`).

/// Declares a closed vocabulary: a stored code and a message key per value.
macro_rules! vocabulary {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $code:literal),+ $(,)? } field $field:literal) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn parse(s: &str) -> Result<Self, $crate::error::ParseError> {
                match s.trim() {
                    $($code => Ok($name::$variant),)+
                    _ => Err($crate::error::ParseError::new($field, concat!("error-", $field, "-invalid"))),
                }
            }

            /// The message key of its name: `<field>-<code>`.
            pub fn label_key(self) -> String {
                format!("{}-{}", $field, self.code())
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}
