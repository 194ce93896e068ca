//! Whose a tagged alarm or topic is. Everything the alarm step makes carries `created-by =
//! lecture06` and `lecture06-workspace = <this folder's workspace id>`: the first says lecture06
//! made it (and is what the console's tag search and `cleanup` without a state look for), the
//! second says from which folder, so that two folders working on one account never take over or
//! delete each other's resources. The one place that reads those tags.

use super::TAG;

/// The tag naming the folder (its state's `workspace_id`) that made a resource.
pub const WORKSPACE_TAG: &str = "lecture06-workspace";

/// The tags the alarm step puts on what it makes.
pub fn tags_for(workspace_id: &str) -> Vec<(String, String)> {
    vec![
        (TAG.0.to_string(), TAG.1.to_string()),
        (WORKSPACE_TAG.to_string(), workspace_id.to_string()),
    ]
}

/// Who made a resource, by its tags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Maker {
    /// No `created-by = lecture06`: someone else's.
    NotLecture06,
    /// lecture06, from this folder.
    ThisWorkspace,
    /// lecture06, from the folder with this workspace id.
    OtherWorkspace(String),
    /// lecture06 before workspaces were tagged: which folder is not said.
    Lecture06UnknownFolder,
}

impl Maker {
    /// `workspace_id`: this folder's (`None` when there is no session here to compare with).
    pub fn of(tags: &[(String, String)], workspace_id: Option<&str>) -> Maker {
        if !tags.iter().any(|(k, v)| k == TAG.0 && v == TAG.1) {
            return Maker::NotLecture06;
        }
        match tags.iter().find(|(k, _)| k == WORKSPACE_TAG) {
            None => Maker::Lecture06UnknownFolder,
            Some((_, id)) if Some(id.as_str()) == workspace_id => Maker::ThisWorkspace,
            Some((_, id)) => Maker::OtherWorkspace(id.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_workspace_tag_tells_folders_apart() {
        let mine = tags_for("aaaaaaaaaaaa");
        assert_eq!(Maker::of(&mine, Some("aaaaaaaaaaaa")), Maker::ThisWorkspace);
        assert_eq!(
            Maker::of(&mine, Some("bbbbbbbbbbbb")),
            Maker::OtherWorkspace("aaaaaaaaaaaa".into())
        );
        assert_eq!(
            Maker::of(&mine, None),
            Maker::OtherWorkspace("aaaaaaaaaaaa".into())
        );
        assert_eq!(
            Maker::of(&tags(&[("created-by", "lecture06")]), Some("a")),
            Maker::Lecture06UnknownFolder
        );
        // The workspace tag alone proves nothing: lecture06 always puts both.
        assert_eq!(
            Maker::of(
                &tags(&[(WORKSPACE_TAG, "aaaaaaaaaaaa")]),
                Some("aaaaaaaaaaaa")
            ),
            Maker::NotLecture06
        );
        assert_eq!(Maker::of(&[], Some("a")), Maker::NotLecture06);
    }
}
