//! The closed vocabularies of the lesson format that only the server reads: action, skip
//! reason and start state names (panel and experiment names are shared with the browser,
//! in [`crate::names`]). Each is an enum so a typo in content is a load error.

pub use crate::names::{ExperimentName, PanelName, UnknownName};

crate::keyword_enum! {
    /// A `run` block the portal can also run with one button (`run action=NAME`).
    pub enum Action ("action") {
        Install = "install",
        Upgrade = "upgrade",
        Rollback = "rollback",
        Uninstall = "uninstall",
        ToggleReady = "toggle-ready",
    }
}

crate::keyword_enum! {
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
        /// Needs a Gateway API controller (the local cluster has none).
        Gateway = "gateway",
        /// Needs a service mesh such as Istio.
        Mesh = "mesh",
    }
}

crate::keyword_enum! {
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
