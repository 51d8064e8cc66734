//! The closed vocabularies of the lesson format: panel, experiment, action, skip reason and
//! start state names. Each is an enum so a typo in content is a load error, and the portal can
//! `match` on what it must render.

use std::fmt;

/// Declares a fieldless enum whose variants are spelled as fixed keywords in the content.
macro_rules! keyword_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($what:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every name, in the order the authoring guide lists them.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The keyword as written in content.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( Self::$variant => $text, )+
                }
            }

            /// Parses a keyword, with a Korean error that lists the valid ones.
            pub fn parse(text: &str) -> Result<Self, UnknownName> {
                match text {
                    $( $text => Ok(Self::$variant), )+
                    _ => Err(UnknownName {
                        what: $what,
                        name: text.to_owned(),
                        choices: Self::ALL.iter().map(|v| v.as_str()).collect(),
                    }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
}

/// A keyword outside its vocabulary, e.g. `panel podz`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("알 수 없는 {what} 이름 '{name}' (가능: {})", choices.join(", "))]
pub struct UnknownName {
    what: &'static str,
    name: String,
    choices: Vec<&'static str>,
}

keyword_enum! {
    /// A live cluster panel (an island) placed with ```` ```panel NAME ```` .
    pub enum PanelName ("패널") {
        /// Cluster status.
        Status = "status",
        /// Install, upgrade and uninstall the release.
        Release = "release",
        /// Revisions and rollback.
        History = "history",
        /// Deployment → ReplicaSet → Pod.
        Tree = "tree",
        Pods = "pods",
        Endpoints = "endpoints",
        Events = "events",
        Logs = "logs",
        /// `kubectl top`.
        Usage = "usage",
        /// Send requests to the service.
        Requests = "requests",
    }
}

keyword_enum! {
    /// A guided experiment placed with ```` ```experiment NAME ```` .
    pub enum ExperimentName ("실험") {
        Configmap = "configmap",
        Readiness = "readiness",
        Resources = "resources",
        GracefulShutdown = "graceful-shutdown",
        RollingUpdate = "rolling-update",
    }
}

keyword_enum! {
    /// A `run` block the portal can also run with one button (`run action=NAME`).
    pub enum Action ("action") {
        Install = "install",
        Upgrade = "upgrade",
        Rollback = "rollback",
        Uninstall = "uninstall",
        ToggleReady = "toggle-ready",
    }
}

keyword_enum! {
    /// Why a shell block is not run by the test runner (`skip=REASON`).
    pub enum SkipReason ("skip 이유") {
        Macos = "macos",
        Minikube = "minikube",
        Docker = "docker",
        Interactive = "interactive",
        Watch = "watch",
        Ingress = "ingress",
        Hosts = "hosts",
        Foreground = "foreground",
        Placeholder = "placeholder",
        Example = "example",
    }
}

keyword_enum! {
    /// The cluster state a lesson's `run` blocks start from (front matter `start`).
    #[derive(Default)]
    pub enum StartState ("start") {
        /// Nothing installed (the default).
        #[default]
        Clean = "clean",
        /// The chart is installed.
        Installed = "installed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_every_keyword() {
        for name in PanelName::ALL {
            assert_eq!(PanelName::parse(name.as_str()), Ok(*name));
        }
        assert_eq!(
            ExperimentName::parse("graceful-shutdown"),
            Ok(ExperimentName::GracefulShutdown)
        );
    }

    #[test]
    fn unknown_names_list_the_choices() {
        let err = PanelName::parse("podz").unwrap_err();
        assert_eq!(
            err.to_string(),
            "알 수 없는 패널 이름 'podz' (가능: status, release, history, tree, pods, \
             endpoints, events, logs, usage, requests)"
        );
    }
}
