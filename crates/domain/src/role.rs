use crate::error::ParseError;
use std::fmt;

/// What a user is to the platform. Every user but an operator belongs to one local government.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// 運用者: runs the whole installation, across all local governments.
    Operator,
    /// 管理者: users, departments and settings of one local government.
    Admin,
    /// デスク担当: the partnership desk's staff.
    Desk,
    /// 事業担当課: staff of one or more departments.
    Department,
    /// 提案者: a company, university, NPO… bringing proposals.
    Proponent,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Operator,
        Role::Admin,
        Role::Desk,
        Role::Department,
        Role::Proponent,
    ];

    pub fn parse(s: &str) -> Result<Self, ParseError> {
        match s.trim() {
            "operator" => Ok(Self::Operator),
            "admin" => Ok(Self::Admin),
            "desk" => Ok(Self::Desk),
            "department" => Ok(Self::Department),
            "proponent" => Ok(Self::Proponent),
            _ => Err(ParseError::new("role", "error-role-unknown")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Operator => "operator",
            Self::Admin => "admin",
            Self::Desk => "desk",
            Self::Department => "department",
            Self::Proponent => "proponent",
        }
    }

    /// The message key of the role's name.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Operator => "role-operator",
            Self::Admin => "role-admin",
            Self::Desk => "role-desk",
            Self::Department => "role-department",
            Self::Proponent => "role-proponent",
        }
    }

    /// Whether a user with this role belongs to one local government.
    pub fn is_tenant_bound(self) -> bool {
        !matches!(self, Self::Operator)
    }

    /// City-hall staff (as opposed to proponents and the operator).
    pub fn is_staff(self) -> bool {
        matches!(self, Self::Admin | Self::Desk | Self::Department)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Ok(r));
        }
        assert!(Role::parse("root").is_err());
    }
}
