//! The words pictures use, in English and in Chinese: the one table of
//! them. A picture drawn with Chinese names (a `--font` that covers
//! Chinese) takes every title, axis title, legend entry, caption and
//! terminal name from the Chinese column, so that no English word is left
//! in it but ids and proper names (Spearman, Sobol).
//!
//! A term is a template: `{0}`, `{1}`, … stand for what [`Term::fill`] is
//! given, in the order each language needs.

use std::fmt::Display;

/// Defines [`Term`], its list [`Term::ALL`] and its two languages
/// ([`Term::both`]) from one table, so that no term can miss from either.
macro_rules! terms {
    ($($(#[$doc:meta])* $name:ident => ($en:expr, $zh:expr $(,)?),)*) => {
        /// A word or phrase of the pictures.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Term {
            $($(#[$doc])* $name,)*
        }

        impl Term {
            /// Every term, for tests that look for a left-over English word.
            pub const ALL: &'static [Term] = &[$(Term::$name,)*];

            /// The term in English and in Chinese.
            pub fn both(self) -> (&'static str, &'static str) {
                match self {
                    $(Term::$name => ($en, $zh),)*
                }
            }
        }
    };
}

terms! {
    // The Sankey diagram.
    /// Left terminal: bought from outside the park.
    Imports => ("imports", "外购"),
    /// Left terminal: storage drawn down.
    FromStorage => ("from storage", "取自储存"),
    /// Right terminal: sold outside the park.
    Sold => ("sold", "外售"),
    /// Right terminal: put into storage.
    Stored => ("stored", "储存"),
    /// Right terminal: disposed of.
    Disposed => ("disposed", "处置"),
    /// The Sankey's title: year, park.
    SankeyTitle => ("Material flows in {0} (tonnes): {1}", "{0}年物质流（吨）：{1}"),
    /// The Sankey's subtitle.
    SankeyLanes => ("One lane per enterprise; ribbons crossing lanes are inter-enterprise links. Loops (recycling) run below the lanes.", "每家企业一条泳道；跨泳道的流带是企业间链接。循环（回用）绘于泳道下方。"),
    /// A loop's label: material, from, to, tonnes.
    Loop => ("loop: {0} from {1} back to {2}, {3}", "循环：{0} 由{1}回到{2}，{3}"),
    /// A node's tooltip: name, tonnes in, tonnes out.
    NodeInOut => ("{0}: in {1}, out {2}", "{0}：输入 {1}，输出 {2}"),
    /// The Sankey's legend line: year.
    SankeyLegend => ("Ribbon width: tonnes in {0}. Colour: material class (a ribbon's title names its material).", "流带宽度：{0}年吨数。颜色：物料类别（流带的提示给出其物料）。"),
    /// Material class: products.
    Products => ("products", "产品"),
    /// Material class: byproducts.
    Byproducts => ("byproducts", "副产品"),
    /// Material class: effluents.
    Effluents => ("effluents", "排放物"),
    /// Material class: utilities.
    Utilities => ("utilities (energy, gas volume)", "公用工程（能源、气体体积）"),
    /// Material class: unknown.
    OtherClass => ("other (kind unknown)", "其他（类别不明）"),
    /// Materials left out: their names.
    NotDrawn => ("Not drawn (no tonnes conversion): {0}", "未绘出（无吨数换算）：{0}"),
    // The linkage plot.
    /// Title: park.
    LinkageTitle => ("Linkage rate by year: {0}", "各年关联率：{0}"),
    /// Y axis.
    LinkageRate => ("linkage rate", "关联率"),
    /// Series: by mass.
    ByMass => ("by mass (byproduct tonnes linked)", "按质量（关联的副产品吨数）"),
    /// Series: by product.
    ByProduct => ("by product (product and byproduct tonnes linked)", "按产品（关联的产品与副产品吨数）"),
    /// Series: by enterprise.
    ByEnterprise => ("by enterprise (share linked)", "按企业（关联企业占比）"),
    /// Appended to the judged series: series.
    Judged => ("{0}, judged", "{0}，考核指标"),
    /// Baseline legend: percent, year.
    BaselineLegend => ("baseline {0}% ({1})", "基准 {0}%（{1}年）"),
    /// Baseline label: percent.
    Baseline => ("baseline {0}%", "基准 {0}%"),
    /// Legend entry of the targets.
    TargetLegend => ("target", "目标"),
    /// A target's label: percent.
    Target => ("target {0}%", "目标 {0}%"),
    /// A target met: points to spare.
    TargetMet => ("met (+{0} pts)", "达标（+{0} 个百分点）"),
    /// A target missed: points short.
    TargetMissed => ("missed by {0} pts", "未达标，差 {0} 个百分点"),
    // The emissions and sources plots.
    /// Title: park.
    EmissionsTitle => ("Emissions by year: park (dark) and background (light), caps in red: {0}", "各年排放：园区（深色）与背景（浅色），红线为总量上限：{0}"),
    /// The park's share: tonnes, year, percent.
    ParkShare => ("park {0} in {1} ({2}% of the total)", "{1}年园区 {0}（占总量 {2}%）"),
    /// A cap met: limit, percent.
    CapWithin => ("cap {0}: within by {1}%", "上限 {0}：余量 {1}%"),
    /// A cap exceeded: limit, percent.
    CapExceeded => ("cap {0}: EXCEEDED by {1}%", "上限 {0}：超出 {1}%"),
    /// Title of the sources plot.
    SourcesTitle => ("Largest park sources in each cap year", "各上限年份园区最大排放源"),
    /// A city cap's panel: pollutant, year, park, background, total, cap, unit.
    SourcesCity => ("{0} {1}: park {2} {6} + background {3} {6} = {4} {6}, cap {5} {6}", "{0} {1}年：园区 {2} {6} + 背景 {3} {6} = {4} {6}，上限 {5} {6}"),
    /// A park cap's panel: pollutant, year, park, cap, unit.
    SourcesPark => ("{0} {1} (park scope): park {2} {4}, cap {3} {4}", "{0} {1}年（园区范围）：园区 {2} {4}，上限 {3} {4}"),
    /// The bar of the smaller sources: how many.
    OtherSources => ("{0} other sources", "其他 {0} 个排放源"),
    /// The background as a source.
    BackgroundSource => ("Background (outside the park)", "背景（园区以外）"),
    /// A disposal as a source: process, material.
    DisposalSource => ("{0}: {1} disposed", "{0}：{1}处置"),
    // The sweep's plots.
    /// Title of the histograms.
    HistogramsTitle => ("Distribution of each output across runs", "各输出在全部运行中的分布"),
    /// A histogram's caption: output, percent.
    MetInRuns => ("{0}: met in {1}% of runs", "{0}：{1}% 的运行达标"),
    /// A histogram's target line: value.
    TargetLine => (" target {0} ", " 目标 {0} "),
    /// A histogram's cap line: value.
    CapLine => (" cap {0} ", " 上限 {0} "),
    /// A histogram's target placed between met and missed runs: value.
    TargetAbout => (" target ≈ {0} ", " 目标 ≈ {0} "),
    /// A histogram's cap placed between met and missed runs: value.
    CapAbout => (" cap ≈ {0} ", " 上限 ≈ {0} "),
    /// Title of the fan chart.
    FanTitle => ("Linkage in the simulated target years: median, 25–75% and 5–95% of runs", "模拟的目标年份关联率：中位数、25–75% 与 5–95% 的运行"),
    /// The fan chart's legend entry of the targets.
    FanTargets => ("target", "目标"),
    /// Title of a tornado: output.
    TornadoTitle => ("{0}: Spearman rank correlation with each parameter", "{0}：与各参数的 Spearman 秩相关系数"),
    /// Title of Sobol bars: output.
    SobolTitle => ("{0}: Sobol indices, first order S1 (blue) and total ST (orange), 95% intervals", "{0}：Sobol 指数，一阶 S1（蓝）与总效应 ST（橙），95% 区间"),
}

impl Term {
    /// The term in Chinese when `chinese`, else in English.
    pub fn text(self, chinese: bool) -> &'static str {
        let (en, zh) = self.both();
        if chinese { zh } else { en }
    }

    /// The term with `{0}`, `{1}`, … replaced by `args`.
    pub fn fill(self, chinese: bool, args: &[&dyn Display]) -> String {
        let template = self.text(chinese);
        let mut out = String::with_capacity(template.len() + 16);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after.split_once('}').and_then(|(n, tail)| {
                let i: usize = n.parse().ok()?;
                Some((args.get(i)?, tail))
            }) {
                Some((arg, tail)) => {
                    out.push_str(&arg.to_string());
                    rest = tail;
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::Term;

    #[test]
    fn a_template_takes_its_arguments_in_each_languages_order() {
        let args: [&dyn std::fmt::Display; 3] = [&"1.2 kt", &2020, &"3.4"];
        assert_eq!(
            Term::ParkShare.fill(false, &args),
            "park 1.2 kt in 2020 (3.4% of the total)"
        );
        assert_eq!(
            Term::ParkShare.fill(true, &args),
            "2020年园区 1.2 kt（占总量 3.4%）"
        );
    }

    #[test]
    fn every_term_has_both_languages_and_the_same_placeholders() {
        for term in Term::ALL {
            let (en, zh) = term.both();
            assert!(!en.is_empty() && !zh.is_empty(), "{term:?}");
            let holes = |s: &'static str| {
                let mut h: Vec<&str> = s.match_indices('{').map(|(i, _)| &s[i..i + 3]).collect();
                h.sort_unstable();
                h
            };
            assert_eq!(holes(en), holes(zh), "{term:?}");
        }
    }
}
