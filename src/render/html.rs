//! One self-contained HTML page (`--format html`): inline style and a small inline script (a
//! sortable table, an error marker), nothing loaded from anywhere — a Content-Security-Policy
//! forbids it. Every text from the facts is escaped ([`esc`]): HTML metacharacters as entities,
//! control, bidirectional and zero-width characters shown as `\u{…}` rather than obeyed.
//! Reads an [`AuditReport`] only; `merge` builds its page from the parts here.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::common::confidence_word;
use super::escape::line;
use crate::engine::PathKind;
use crate::report::audit::{badness, AuditReport, SubnetRow};

/// Characters that change how text around them is shown without being seen.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00ad}'
            | '\u{034f}'
            | '\u{061c}'
            | '\u{115f}'
            | '\u{1160}'
            | '\u{17b4}'
            | '\u{17b5}'
            | '\u{180b}'..='\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{3164}'
            | '\u{fe00}'..='\u{fe0f}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{fff9}'..='\u{fffb}'
    )
}

/// Text as HTML: one line (control and bidi characters shown escaped, cut at the field limit,
/// see [`line`]), zero-width and other invisible characters shown as `\u{…}`, and `& < > " '`
/// as entities — safe in element content and in quoted attribute values.
pub fn esc(s: &str) -> String {
    let s = line(s);
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if invisible(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// Multi-line text as HTML (for `<pre>`): each line through [`esc`].
fn esc_lines(s: &str) -> String {
    s.lines().map(esc).collect::<Vec<_>>().join("\n")
}

const STYLE: &str = r#"
:root{color-scheme:light dark;--bad:#c62828;--warn:#b26a00;--ok:#2e7d32;--mute:#666}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5rem auto;max-width:80rem;padding:0 1rem}
h1{font-size:1.4rem;margin:0 0 .3rem}h2{font-size:1.15rem;margin:1.6rem 0 .4rem}
h3{font-size:1rem;margin:1rem 0 .3rem}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em}
pre{white-space:pre-wrap;overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem}
th,td{border-bottom:1px solid #8884;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{cursor:pointer;user-select:none;white-space:nowrap}
th[aria-sort=ascending]::after{content:" \25B2"}th[aria-sort=descending]::after{content:" \25BC"}
.status{font-weight:600}.FAIL{color:var(--bad)}.WARN{color:var(--warn)}.OK{color:var(--ok)}.UNKNOWN{color:var(--warn)}
.path{color:var(--mute)}.muted{color:var(--mute)}
section.vpc{border-left:4px solid #8886;padding-left:.8rem;margin-bottom:1.2rem}
section.vpc[data-status=FAIL]{border-color:var(--bad)}section.vpc[data-status=WARN],section.vpc[data-status=UNKNOWN]{border-color:var(--warn)}section.vpc[data-status=OK]{border-color:var(--ok)}
.wide{overflow-x:auto}td.mono,td.nw{white-space:nowrap}
ul.findings{margin:.2rem 0 .4rem 1.2rem;padding:0}ul.fixes{margin:.1rem 0 .2rem 1rem}
"#;

/// Installed first, in its own element: a script error anywhere (also a syntax error in the
/// next script) leaves a marker in the page, which the browser test looks for.
const ERROR_MARKER: &str = r#"window.addEventListener("error",function(e){document.documentElement.setAttribute("data-script-error",String(e.message||"error"));});"#;

/// Sorts a table by the clicked header (numbers by `data-sort` when given), and marks the page
/// ready. `#sort=N` (`#sort=-N` descending) sorts the main table (`data-main`) on load.
const SCRIPT: &str = r#"(function(){
function key(row,i){var c=row.cells[i];if(!c)return"";var k=c.getAttribute("data-sort");return k!==null?k:c.textContent.trim();}
function cmp(a,b){var x=parseFloat(a),y=parseFloat(b);if(!isNaN(x)&&!isNaN(y)&&String(x)===a&&String(y)===b)return x-y;return a<b?-1:a>b?1:0;}
function sortBy(table,i,desc){var body=table.tBodies[0];if(!body)return;var rows=Array.prototype.slice.call(body.rows);
rows.sort(function(a,b){var r=cmp(key(a,i),key(b,i));return desc?-r:r;});rows.forEach(function(r){body.appendChild(r);});
Array.prototype.forEach.call(table.tHead.rows[0].cells,function(h,j){if(j===i){h.setAttribute("aria-sort",desc?"descending":"ascending");}else{h.removeAttribute("aria-sort");}});}
Array.prototype.forEach.call(document.querySelectorAll("table.sortable"),function(t){
Array.prototype.forEach.call(t.tHead.rows[0].cells,function(h,i){h.addEventListener("click",function(){sortBy(t,i,h.getAttribute("aria-sort")==="ascending");});});});
var m=/^#sort=(-?)(\d+)$/.exec(location.hash);var first=document.querySelector("table.sortable[data-main]");
if(m&&first){sortBy(first,parseInt(m[2],10),m[1]==="-");}
document.documentElement.setAttribute("data-rows",String(document.querySelectorAll("tr[data-row]").length));
document.documentElement.setAttribute("data-ready","1");
})();"#;

/// A whole page: `title` (escaped here), `attrs` on `<main>` (already escaped), `body` HTML.
pub fn page(title: &str, attrs: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"s3path {}\">\n<title>{}</title>\n<style>{STYLE}</style>\n\
         <script>{ERROR_MARKER}</script>\n</head>\n<body>\n<main{attrs}>\n{body}</main>\n<script>{SCRIPT}</script>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        esc(title),
    )
}

/// A page holding `text` as preformatted text (outputs without an HTML layout).
pub fn plain_page(title: &str, text: &str) -> String {
    page(title, "", &format!("<pre>{}</pre>\n", esc_lines(text)))
}

/// A status word that needs no colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Ok,
    Warn,
    Unknown,
    Fail,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::Warn => "WARN",
            Status::Unknown => "UNKNOWN",
            Status::Fail => "FAIL",
        }
    }
    /// From an exit code (1 fails, 3 undecided) and whether anything was found.
    pub fn from_exit(exit_code: u8, findings: bool) -> Status {
        match exit_code {
            1 => Status::Fail,
            3 => Status::Unknown,
            _ if findings => Status::Warn,
            _ => Status::Ok,
        }
    }
    /// A `<span>` with the word, classed for colour.
    pub fn cell(self) -> String {
        format!("<span class=\"status {0}\">{0}</span>", self.as_str())
    }
}

fn row_status(r: &SubnetRow) -> Status {
    let s = Status::from_exit(r.exit_code, !r.findings.is_empty());
    match r.verdict.path {
        PathKind::Blocked => Status::Fail,
        PathKind::Unknown => s.max(Status::Unknown),
        _ => s,
    }
}

/// What the path kind's hop is called in the picture.
fn hop_kind(k: PathKind) -> &'static str {
    match k {
        PathKind::GatewayEndpoint => "gateway",
        PathKind::InterfaceEndpoint => "interface endpoint",
        PathKind::NatGateway => "NAT",
        PathKind::InternetGateway => "internet gateway",
        PathKind::EgressOnlyInternetGateway => "egress-only IGW",
        PathKind::TransitGateway => "transit gateway",
        PathKind::VpcPeering => "peering",
        PathKind::VirtualPrivateGateway => "VPN gateway",
        other => other.as_str(),
    }
}

/// The path of a subnet as one line: `subnet → rtb (main) → destination → via (kind) → S3
/// region`, from the row's route table, deciding route and verdict; each hop escaped.
pub fn subnet_path(r: &SubnetRow) -> String {
    let mut hops = vec![esc(&r.subnet_id)];
    match (&r.route_table, r.association) {
        (Some(t), Some(crate::facts::RouteTableAssociation::Main)) => {
            hops.push(format!("{} (main)", esc(t)))
        }
        (Some(t), _) => hops.push(esc(t)),
        (None, _) => hops.push("no route table".to_string()),
    }
    // The route's destination (`pl-… -> target`): the target is the via below.
    if let Some(dest) = r
        .verdict
        .route
        .as_deref()
        .and_then(|x| x.split(" -> ").next())
    {
        hops.push(esc(dest));
    }
    let s3 = format!("S3 {}", esc(&r.region));
    match r.verdict.path {
        PathKind::Blocked => {
            if let Some(v) = &r.verdict.via {
                hops.push(esc(v));
            }
            hops.push(format!("✗ blocked (no path to {s3})"));
        }
        PathKind::Unknown => hops.push(format!("? (undetermined) → {s3}")),
        k => {
            hops.push(hop(k, r.verdict.via.as_deref()));
            hops.push(s3);
        }
    }
    hops.join(" → ")
}

/// The last hop before S3, escaped: `vpce-… (gateway)`, or the kind alone.
pub fn hop(k: PathKind, via: Option<&str>) -> String {
    match via {
        Some(v) => format!("{} ({})", esc(v), hop_kind(k)),
        None => esc(hop_kind(k)),
    }
}

fn verdict_text(path: PathKind, via: Option<&str>) -> String {
    match via {
        Some(v) => format!("{} via {}", path.as_str(), v),
        None => path.as_str().to_string(),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The findings of one subnet with their fixes, as a list.
fn findings_list(r: &SubnetRow) -> String {
    if r.findings.is_empty() {
        return String::new();
    }
    let mut out = String::from("<ul class=\"findings\">");
    for f in &r.findings {
        let _ = write!(
            out,
            "<li><span class=\"status {}\">{}</span> <code>{}</code>{} {}",
            match f.severity {
                crate::checks::Severity::Error => "FAIL",
                crate::checks::Severity::Warning => "WARN",
                crate::checks::Severity::Info => "OK",
            },
            f.severity.as_str(),
            esc(&f.id),
            if f.preview { " (preview)" } else { "" },
            esc(&f.message)
        );
        if !f.remediation.is_empty() {
            out.push_str("<ul class=\"fixes\">");
            for fix in &f.remediation {
                let _ = write!(out, "<li>fix: <code>{}</code></li>", esc(fix));
            }
            out.push_str("</ul>");
        }
        out.push_str("</li>");
    }
    out.push_str("</ul>");
    out
}

/// The audit as a page: summary, then one section per VPC (worst first) with its subnets,
/// each with its status, path picture, verdict and findings with fixes; one sortable table of
/// every subnet; the cost section when it was asked for.
pub fn audit(r: &AuditReport) -> String {
    let mut body = String::new();
    let _ = writeln!(
        body,
        "<h1>s3path audit</h1>\n<p class=\"muted\">s3path {} · {} · {}</p>",
        esc(&r.tool_version),
        plural(r.summary.subnets, "subnet", "subnets"),
        plural(r.regions.len(), "region", "regions"),
    );
    let overall = match r.exit_code {
        1 => Status::Fail,
        3 => Status::Unknown,
        _ if r.subnets.iter().any(|s| !s.findings.is_empty()) => Status::Warn,
        _ => Status::Ok,
    };
    let paths: Vec<String> = r
        .summary
        .by_path
        .iter()
        .map(|(k, v)| format!("{} {v}", esc(k)))
        .collect();
    let _ = writeln!(
        body,
        "<p>{} {}</p>",
        overall.cell(),
        if paths.is_empty() {
            "no subnet could be judged".to_string()
        } else {
            paths.join(" · ")
        }
    );
    for reg in &r.regions {
        for m in &reg.missing {
            let _ = writeln!(
                body,
                "<p class=\"muted\">{}: not collected: {}</p>",
                esc(&reg.region),
                esc(m)
            );
        }
    }
    if let Some(e) = &r.expectation {
        let kinds: Vec<&str> = e.expected.iter().map(|k| k.as_str()).collect();
        let _ = writeln!(
            body,
            "<p>expected {}: met by {}, not met by {}{}, undecided for {}{}</p>",
            esc(&kinds.join(" or ")),
            e.met,
            e.not_met.len(),
            if e.not_met.is_empty() {
                String::new()
            } else {
                format!(" ({})", esc(&e.not_met.join(", ")))
            },
            e.undecided.len(),
            if e.undecided.is_empty() {
                String::new()
            } else {
                format!(" ({})", esc(&e.undecided.join(", ")))
            },
        );
    }
    if let Some(c) = &r.cost {
        body.push_str("<h2 id=\"cost\">NAT cost</h2>\n");
        let _ = writeln!(body, "<p>{}</p>", esc(&c.summary));
        if !c.nat_gateways.is_empty() {
            body.push_str("<table class=\"sortable\" id=\"cost-table\"><thead><tr><th>region</th><th>NAT gateway</th><th>processed GB</th><th>days</th><th>up to USD/month</th><th>USD/GB</th><th>subnets</th><th>gateway endpoint on</th></tr></thead><tbody>\n");
            for n in &c.nat_gateways {
                let _ = writeln!(
                    body,
                    "<tr><td class=\"nw\">{}</td><td class=\"mono\">{}</td><td data-sort=\"{}\">{:.1}</td><td>{}</td><td data-sort=\"{}\">{:.2}</td><td title=\"{}\">{}</td><td class=\"mono\">{}</td><td class=\"mono\">{}</td></tr>",
                    esc(&n.region),
                    esc(&n.nat_gateway_id),
                    n.processed_gb,
                    n.processed_gb,
                    n.days,
                    n.monthly_usd_upper_bound,
                    n.monthly_usd_upper_bound,
                    esc(&n.price_source),
                    n.price_per_gb,
                    esc(&n.subnets.join(", ")),
                    esc(&n.route_tables.join(", ")),
                );
            }
            body.push_str("</tbody></table>\n");
        }
        for m in &c.missing {
            let _ = writeln!(body, "<p class=\"muted\">not measured: {}</p>", esc(m));
        }
    }

    // VPC sections, worst first (then region and id).
    let mut vpcs: BTreeMap<(&str, &str), Vec<&SubnetRow>> = BTreeMap::new();
    for s in &r.subnets {
        vpcs.entry((s.region.as_str(), s.vpc_id.as_str()))
            .or_default()
            .push(s);
    }
    let mut vpcs: Vec<_> = vpcs.into_iter().collect();
    vpcs.sort_by_key(|((region, vpc), rows)| {
        let worst = rows.iter().map(|s| badness(s)).max().unwrap_or(0);
        let bad = rows.iter().filter(|s| badness(s) >= 2).count();
        (
            std::cmp::Reverse(worst),
            std::cmp::Reverse(bad),
            *region,
            *vpc,
        )
    });
    body.push_str("<h2 id=\"vpcs\">VPCs, worst first</h2>\n");
    for ((region, vpc), rows) in &vpcs {
        let st = rows
            .iter()
            .map(|s| row_status(s))
            .max()
            .unwrap_or(Status::Ok);
        let _ = writeln!(
            body,
            "<section class=\"vpc\" data-status=\"{}\" data-vpc=\"{}\">\n<h3>{} <span class=\"mono\">{}</span> <span class=\"muted\">{} · {}</span></h3>",
            st.as_str(),
            esc(vpc),
            st.cell(),
            esc(vpc),
            esc(region),
            plural(rows.len(), "subnet", "subnets"),
        );
        for s in rows {
            let _ = writeln!(
                body,
                "<div class=\"subnet\" id=\"{}\"><p>{} <span class=\"mono\">{}</span> — {} [{}]<br><span class=\"path mono\">{}</span></p>{}</div>",
                anchor(&s.region, &s.subnet_id),
                row_status(s).cell(),
                esc(&s.subnet_id),
                esc(&s.verdict.summary),
                confidence_word(s.verdict.confidence),
                subnet_path(s),
                findings_list(s),
            );
        }
        body.push_str("</section>\n");
    }
    // The subnet table: every subnet, sortable; the first column sorts worst first.
    let _ = writeln!(
        body,
        "<h2 id=\"subnets\">All subnets</h2>\n<div class=\"wide\"><table class=\"sortable\" id=\"subnet-table\" data-main><thead><tr><th>status</th><th>region</th><th>VPC</th><th>subnet</th><th>AZ</th><th>route table</th><th>path</th><th>confidence</th><th>findings</th></tr></thead><tbody>"
    );
    for s in &r.subnets {
        let st = row_status(s);
        let ids: Vec<&str> = s.findings.iter().map(|f| f.id.as_ref()).collect();
        let _ = writeln!(
            body,
            "<tr data-row=\"subnet\"><td data-sort=\"{}\">{}</td><td class=\"nw\">{}</td><td class=\"mono\">{}</td><td class=\"mono\"><a href=\"#{}\">{}</a></td><td class=\"nw\">{}</td><td class=\"mono\">{}</td><td>{}</td><td>{}</td><td class=\"mono\">{}</td></tr>",
            9 - badness(s),
            st.cell(),
            esc(&s.region),
            esc(&s.vpc_id),
            anchor(&s.region, &s.subnet_id),
            esc(&s.subnet_id),
            esc(s.availability_zone.as_deref().unwrap_or("")),
            esc(s.route_table.as_deref().unwrap_or("")),
            esc(&verdict_text(s.verdict.path, s.verdict.via.as_deref())),
            confidence_word(s.verdict.confidence),
            esc(&ids.join(" ")),
        );
    }
    body.push_str("</tbody></table></div>\n");

    let attrs = format!(
        " data-subnets=\"{}\" data-vpcs=\"{}\" data-exit-code=\"{}\"",
        r.subnets.len(),
        vpcs.len(),
        r.exit_code
    );
    page("s3path audit", &attrs, &body)
}

/// An element id for a subnet: letters, digits and `-` only (ids come from the facts).
pub fn anchor(region: &str, id: &str) -> String {
    let mut out = String::from("s-");
    for c in region.chars().chain(std::iter::once('-')).chain(id.chars()) {
        if c.is_ascii_alphanumeric() || c == '-' {
            out.push(c);
        } else {
            let _ = write!(out, "_{:x}", c as u32);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untrusted_text_cannot_open_tags_attributes_or_reorder() {
        assert_eq!(
            esc("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(esc("\" onmouseover='x'"), "&quot; onmouseover=&#39;x&#39;");
        assert_eq!(esc("a\u{202e}b"), "a\\u{202e}b");
        assert_eq!(esc("a\u{200b}b\u{feff}"), "a\\u{200b}b\\u{feff}");
        assert_eq!(esc("a\nb\x1b[31m"), "a\\nb\\x1b[31m");
        assert_eq!(esc("a & b"), "a &amp; b");
        assert_eq!(
            anchor("eu-west-1", "subnet-1\"><x"),
            "s-eu-west-1-subnet-1_22_3e_3cx"
        );
    }

    #[test]
    fn a_page_loads_nothing_from_elsewhere() {
        let p = plain_page("t<", "x <b>\ny");
        assert!(p.contains("default-src 'none'"));
        assert!(p.contains("<title>t&lt;</title>"));
        assert!(p.contains("<pre>x &lt;b&gt;\ny</pre>"));
        for bad in ["src=\"http", "href=\"http", "src=\"//", "@import", "url("] {
            assert!(!p.contains(bad), "{bad}");
        }
    }
}
