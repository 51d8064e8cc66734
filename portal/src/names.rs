//! The names the portal dispatches on, shared by the server and the browser: panels,
//! experiments and their variants. Each is an enum spelled as a fixed keyword, so a typo
//! in content or in a request is an error with the valid choices, and code `match`es
//! instead of comparing strings. The lesson-only vocabularies (actions, skip reasons,
//! start states) use the same macro in `lessons/names.rs`.

/// Declares a fieldless enum whose variants are spelled as fixed keywords in the content.
#[macro_export]
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
            pub fn parse(text: &str) -> Result<Self, $crate::names::UnknownName> {
                match text {
                    $( $text => Ok(Self::$variant), )+
                    _ => Err($crate::names::UnknownName {
                        what: $what,
                        name: text.to_owned(),
                        choices: Self::ALL.iter().map(|v| v.as_str()).collect(),
                    }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Self::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

/// A keyword outside its vocabulary, e.g. `panel podz`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName {
    pub what: &'static str,
    pub name: String,
    pub choices: Vec<&'static str>,
}

impl std::fmt::Display for UnknownName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Clipped: the name may come from a request.
        let name: String = self.name.chars().take(60).collect();
        write!(
            f,
            "알 수 없는 {} 이름 '{name}' (가능: {})",
            self.what,
            self.choices.join(", ")
        )
    }
}

impl std::error::Error for UnknownName {}

crate::keyword_enum! {
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

crate::keyword_enum! {
    /// A guided experiment placed with ```` ```experiment NAME ```` .
    pub enum ExperimentName ("실험") {
        Configmap = "configmap",
        Readiness = "readiness",
        Resources = "resources",
        GracefulShutdown = "graceful-shutdown",
        RollingUpdate = "rolling-update",
        Canary = "canary",
    }
}

crate::keyword_enum! {
    /// One button of an experiment: the main run (`""`) or a variant of it. Each
    /// experiment lists the ones it has in `experiments::catalog`.
    pub enum VariantName ("변형") {
        Main = "",
        Dev = "dev",
        Prod = "prod",
        ConfigmapOnly = "configmap-only",
        OneReplica = "one-replica",
        NoPrestop = "no-prestop",
        Abort = "abort",
    }
}
