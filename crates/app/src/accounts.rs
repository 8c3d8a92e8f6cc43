//! What an account chooses for itself.

use crate::{App, CommandError};
use renkei_domain::Lang;
use renkei_store::users::User;

/// The signed-in account chose a language (`?lang=`): pages follow the choice through its
/// cookie, and mail to the account is written in it from now on. Returns whether the stored
/// choice changed (nothing is written when it did not).
pub async fn choose_language(app: &App, user: &User, lang: Lang) -> Result<bool, CommandError> {
    if user.lang == lang {
        return Ok(false);
    }
    Ok(app.store.user_set_lang(user.id, lang).await?)
}
