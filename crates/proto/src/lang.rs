//! The languages the product speaks, and the choice among them from what a
//! browser asks for (`Accept-Language`).

use serde::{Deserialize, Serialize};

/// A language of the interface, its errors, emails and texts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Fr,
    De,
    /// Written right to left.
    Ar,
}

impl Lang {
    pub const ALL: [Lang; 4] = [Lang::En, Lang::Fr, Lang::De, Lang::Ar];

    /// Its BCP 47 tag, as `lang` and `Content-Language` carry it.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::De => "de",
            Lang::Ar => "ar",
        }
    }

    /// `rtl` or `ltr`, for `dir`.
    pub fn dir(self) -> &'static str {
        match self {
            Lang::Ar => "rtl",
            _ => "ltr",
        }
    }

    /// Its own name, as a language menu lists it.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Fr => "Français",
            Lang::De => "Deutsch",
            Lang::Ar => "العربية",
        }
    }

    /// The language a tag names (`fr`, `fr-CA`, `DE`), if it is one of ours.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?;
        Lang::ALL.into_iter().find(|l| l.tag().eq_ignore_ascii_case(primary))
    }

    /// The best of ours for an `Accept-Language` value: the one asked for
    /// with the highest weight (the first among equals), English when none
    /// is ours. A weight of 0 refuses a language.
    pub fn negotiate(accept: Option<&str>) -> Lang {
        let mut best: Option<(Lang, u16)> = None;
        for item in accept.unwrap_or("").split(',').take(32) {
            let mut parts = item.split(';');
            let Some(lang) = parts.next().and_then(Lang::from_tag) else { continue };
            let q = parts.find_map(|p| p.trim().strip_prefix("q=")).map_or(Some(1000), weight);
            match q {
                Some(q) if q > 0 && best.is_none_or(|(_, b)| q > b) => best = Some((lang, q)),
                _ => (),
            }
        }
        best.map_or(Lang::En, |(l, _)| l)
    }
}

/// A `q` weight in thousandths (`0.8` → 800), if well formed.
fn weight(q: &str) -> Option<u16> {
    let q = q.trim();
    let (whole, frac) = q.split_once('.').unwrap_or((q, ""));
    if frac.len() > 3 || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let frac: u16 = format!("{frac:0<3}").parse().ok()?;
    match whole {
        "0" => Some(frac),
        "1" if frac == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_best_language_asked_for_is_chosen() {
        let n = |v: &str| Lang::negotiate(Some(v));
        assert_eq!(n("fr-CH, fr;q=0.9, en;q=0.8"), Lang::Fr);
        assert_eq!(n("de-DE"), Lang::De);
        assert_eq!(n("ar-EG,ar;q=0.9"), Lang::Ar);
        // Ours, by weight, whatever the order; unknown ones skipped.
        assert_eq!(n("es;q=1, en;q=0.5, de;q=0.7"), Lang::De);
        assert_eq!(n("ja, zh-CN;q=0.9, fr;q=0.1"), Lang::Fr);
        // The first of equal weights.
        assert_eq!(n("de, fr"), Lang::De);
        // A weight of 0 refuses; malformed weights are skipped.
        assert_eq!(n("fr;q=0, de;q=0.000"), Lang::En);
        assert_eq!(n("fr;q=2, de;q=abc, ar;q=0.5"), Lang::Ar);
        assert_eq!(n("*"), Lang::En);
        assert_eq!(n(""), Lang::En);
        assert_eq!(Lang::negotiate(None), Lang::En);
        assert_eq!(Lang::from_tag("FR_ca"), Some(Lang::Fr));
        assert_eq!(Lang::from_tag("frx"), None);
    }

    #[test]
    fn only_arabic_is_written_right_to_left() {
        for l in Lang::ALL {
            assert_eq!(l.dir() == "rtl", l == Lang::Ar, "{l:?}");
            assert_eq!(Lang::from_tag(l.tag()), Some(l));
        }
    }
}
