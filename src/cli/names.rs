//! `s3path names`: how the application names S3 for each input (offline).

use serde::Serialize;

use super::common::region_arg;
use super::output::{print, ChecksFormat};
use crate::gather::{self, ProcessEnv};
use crate::input::{self, InputError};
use crate::render::{HumanOptions, Render};

pub fn run(
    inputs: &[String],
    region: Option<String>,
    sdk: Option<&str>,
    format: ChecksFormat,
    profile: Option<&str>,
) -> Result<u8, InputError> {
    let parsed = inputs
        .iter()
        .map(|b| input::bucket(b))
        .collect::<Result<Vec<_>, _>>()?;
    let sdk = sdk.map(input::sdk).transpose()?;
    let region = region_arg(region, profile)?;
    let env = gather::WithProfile {
        env: &ProcessEnv,
        profile,
    };
    let settings = crate::names::S3Settings::of(Some(&gather::client_settings(&env)));
    let plans: Vec<crate::names::NamePlan> = parsed
        .iter()
        .map(|r| crate::names::sdk::plan_for(r, &settings, &region, None, sdk.as_deref()))
        .collect();
    let names = plans
        .iter()
        .map(|plan| NameRow {
            plan,
            compat: plan
                .names
                .iter()
                .map(|n| crate::names::compat(n.host_kind))
                .collect(),
        })
        .collect();
    print(&NamesView { region, names }, format)?;
    Ok(0)
}

/// `s3path names`' output: every input's plan, with which endpoints each name can use.
#[derive(Serialize)]
pub struct NamesView<'a> {
    pub region: String,
    pub names: Vec<NameRow<'a>>,
}

#[derive(Serialize)]
pub struct NameRow<'a> {
    #[serde(flatten)]
    pub plan: &'a crate::names::NamePlan,
    /// Per planned name, in `names` order.
    pub compat: Vec<&'static crate::names::Compat>,
}

impl Render for NamesView<'_> {
    fn human(&self, _: &HumanOptions) -> String {
        let plans: Vec<&crate::names::NamePlan> = self.names.iter().map(|r| r.plan).collect();
        names_human(&plans)
    }
    /// Keys sorted at every depth (through a `Value`), as this output has always had them.
    fn json(&self) -> String {
        let v = serde_json::to_value(self).expect("the names serialize");
        serde_json::to_string_pretty(&v).expect("the names serialize") + "\n"
    }
}

fn names_human(plans: &[&crate::names::NamePlan]) -> String {
    use crate::render::escape::line;
    let support = |s: crate::names::Support, svc: Option<&str>| match (s, svc) {
        (crate::names::Support::Yes, Some(svc)) => format!("yes ({svc})"),
        (crate::names::Support::Yes, None) => "yes".to_string(),
        (crate::names::Support::No, _) => "no".to_string(),
        (crate::names::Support::ByAddress, _) => "by its address".to_string(),
    };
    let mut out = String::new();
    for p in plans {
        out.push_str(&format!(
            "{}: {} {}\n",
            line(&p.name.input),
            p.name.kind.label(),
            line(&p.name.name)
        ));
        for n in &p.names {
            let c = crate::names::compat(n.host_kind);
            out.push_str(&format!(
                "  -> {}{}\n     gateway endpoint: {}; interface endpoint: {}; NAT/internet gateway: {}\n     {}\n",
                line(&n.host),
                if n.path_style { " (bucket in the path)" } else { "" },
                support(c.gateway, c.gateway_service),
                support(c.interface, c.interface_service),
                support(c.internet, None),
                c.why
            ));
        }
        if let Some(why) = &p.refused {
            out.push_str(&format!("  refused: {}\n", line(why)));
        }
        if let Some(sdk) = &p.sdk {
            out.push_str(&format!("  as {sdk} plans it\n"));
        }
        if !p.by_sdk.is_empty() {
            out.push_str("  the SDK families name it differently:\n");
            for g in &p.by_sdk {
                let name = match (&g.name, &g.refused) {
                    (Some(n), _) => {
                        let c = crate::names::compat(n.host_kind);
                        format!(
                            "{}{} (gateway endpoint: {}; interface endpoint: {})",
                            line(&n.host),
                            if n.path_style {
                                " (bucket in the path)"
                            } else {
                                ""
                            },
                            support(c.gateway, c.gateway_service),
                            support(c.interface, c.interface_service)
                        )
                    }
                    (None, Some(why)) => format!("refused: {}", line(why)),
                    (None, None) => "no name".to_string(),
                };
                out.push_str(&format!("    {}: {name}\n", g.families.join(", ")));
            }
        }
        for b in &p.because {
            out.push_str(&format!("  because {}\n", line(b)));
        }
    }
    out
}
