//! The instance's branding: its name, logo and accent colours, checked at
//! start-up (an accent that buttons' and links' text cannot be read on is
//! refused) and turned into the small stylesheet that overrides the defaults.

/// A colour, `#rrggbb`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// The built-in theme's surfaces that the accent must read on (style/main.css).
const WHITE: Rgb = Rgb(0xff, 0xff, 0xff);
const DARK_CARD: Rgb = Rgb(0x18, 0x1b, 0x21);
const DARK_ON_ACCENT: Rgb = Rgb(0x0f, 0x11, 0x15);
const BLACK: Rgb = Rgb(0, 0, 0);

/// The built-in light accent.
pub const DEFAULT_ACCENT: Rgb = Rgb(0x1f, 0x4f, 0xd6);

/// WCAG 1.4.3: normal text needs 4.5:1.
pub const MIN_CONTRAST: f64 = 4.5;
/// A derived dark-theme accent aims a little higher than the minimum.
const DERIVED_CONTRAST: f64 = 6.0;

impl Rgb {
    pub fn parse(s: &str) -> Option<Rgb> {
        let hex = s.strip_prefix('#')?;
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        Some(Rgb(byte(0)?, byte(2)?, byte(4)?))
    }

    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// `self` with `t` (0 to 1) of `other` mixed in.
    pub fn mix(self, other: Rgb, t: f64) -> Rgb {
        let m = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round().clamp(0.0, 255.0) as u8;
        Rgb(m(self.0, other.0), m(self.1, other.1), m(self.2, other.2))
    }

    /// WCAG relative luminance.
    fn luminance(self) -> f64 {
        let c = |v: u8| {
            let s = f64::from(v) / 255.0;
            if s <= 0.04045 {
                s / 12.92
            } else {
                ((s + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * c(self.0) + 0.7152 * c(self.1) + 0.0722 * c(self.2)
    }

    /// WCAG contrast ratio, 1 to 21.
    pub fn contrast(self, other: Rgb) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }
}

/// The accent's companions in one theme, as the stylesheet names them.
struct Theme {
    accent: Rgb,
    /// Buttons on hover.
    hover: Rgb,
    /// The badge and selected-row background, and a softer one.
    tint: Rgb,
    tint_soft: Rgb,
}

fn light(accent: Rgb) -> Theme {
    Theme { accent, hover: accent.mix(BLACK, 0.22), tint: WHITE.mix(accent, 0.075), tint_soft: WHITE.mix(accent, 0.03) }
}

fn dark(accent: Rgb) -> Theme {
    Theme {
        accent,
        hover: accent.mix(WHITE, 0.3),
        tint: DARK_CARD.mix(accent, 0.12),
        tint_soft: DARK_CARD.mix(accent, 0.05),
    }
}

/// Why `accent` cannot be the light theme's: white button text and links on
/// white (and on its tint) must stay readable.
pub fn light_fault(accent: Rgb) -> Option<String> {
    let t = light(accent);
    let worst = accent.contrast(WHITE).min(accent.contrast(t.tint));
    (worst < MIN_CONTRAST).then(|| {
        format!(
            "{} has {worst:.1}:1 against white; buttons and links need {MIN_CONTRAST}:1 (pick a darker colour)",
            accent.hex()
        )
    })
}

/// Why `accent` cannot be the dark theme's: links on the dark card and the
/// dark button text on it must stay readable.
pub fn dark_fault(accent: Rgb) -> Option<String> {
    let worst = accent.contrast(DARK_CARD).min(accent.contrast(DARK_ON_ACCENT));
    (worst < MIN_CONTRAST).then(|| {
        format!(
            "{} has {worst:.1}:1 against the dark theme's card; buttons and links need {MIN_CONTRAST}:1 (pick a lighter colour)",
            accent.hex()
        )
    })
}

/// A dark-theme accent from the light one: lightened until it reads well on
/// the dark card.
pub fn derive_dark(accent: Rgb) -> Rgb {
    (0..=20)
        .map(|step| accent.mix(WHITE, f64::from(step) * 0.05))
        .find(|c| c.contrast(DARK_CARD) >= DERIVED_CONTRAST && c.contrast(DARK_ON_ACCENT) >= DERIVED_CONTRAST)
        .unwrap_or(WHITE)
}

fn vars(t: &Theme) -> String {
    format!(
        "--accent:{};--accent-dark:{};--tint:{};--tint-soft:{}",
        t.accent.hex(),
        t.hover.hex(),
        t.tint.hex(),
        t.tint_soft.hex()
    )
}

/// The stylesheet that puts the accents over the built-in ones (served as
/// /brand.css: the page's policy allows no inline style).
pub fn stylesheet(accent: Rgb, accent_dark: Option<Rgb>) -> String {
    let dark_accent = accent_dark.unwrap_or_else(|| derive_dark(accent));
    format!(
        ":root{{{}}}\n@media (prefers-color-scheme: dark){{:root{{{}}}}}\n",
        vars(&light(accent)),
        vars(&dark(dark_accent))
    )
}

/// A logo's address: a path on this server, or an https URL.
pub fn logo_ok(logo: &str) -> bool {
    let fine =
        |s: &str| !s.is_empty() && !s.chars().any(|c| c.is_whitespace() || c.is_control() || "\"'<>\\`".contains(c));
    match logo.strip_prefix("https://") {
        Some(rest) => fine(rest) && !rest.starts_with('/'),
        None => logo.starts_with('/') && !logo.starts_with("//") && fine(logo),
    }
}

/// The origin of an https logo, which the page's policy must allow images from.
pub fn logo_origin(logo: &str) -> Option<String> {
    let rest = logo.strip_prefix("https://")?;
    let host = rest.split(['/', '?', '#']).next().filter(|h| !h.is_empty())?;
    Some(format!("https://{host}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_parse_and_print() {
        assert_eq!(Rgb::parse("#1f4fd6"), Some(Rgb(0x1f, 0x4f, 0xd6)));
        assert_eq!(Rgb::parse("#1F4FD6").map(Rgb::hex).as_deref(), Some("#1f4fd6"));
        for bad in ["1f4fd6", "#1f4fd", "#1f4fd6a", "#gggggg", "red", "", "#+1+2+3"] {
            assert_eq!(Rgb::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn contrast_matches_wcag() {
        assert!((BLACK.contrast(WHITE) - 21.0).abs() < 1e-9);
        assert!((WHITE.contrast(WHITE) - 1.0).abs() < 1e-9);
        // The built-in accent: 6.7:1 on the card, as the look test measures.
        let c = Rgb(0x1f, 0x4f, 0xd6).contrast(WHITE);
        assert!((6.6..6.8).contains(&c), "{c}");
    }

    #[test]
    fn unreadable_accents_are_refused() {
        // The built-in accents pass.
        assert_eq!(light_fault(Rgb(0x1f, 0x4f, 0xd6)), None);
        assert_eq!(dark_fault(Rgb(0x8f, 0xb0, 0xff)), None);
        // A light yellow on white, a dark blue on the dark card: refused.
        let e = light_fault(Rgb(0xff, 0xd7, 0x00)).unwrap_or_default();
        assert!(e.contains("#ffd700") && e.contains("against white"), "{e}");
        assert!(dark_fault(Rgb(0x1f, 0x4f, 0xd6)).is_some());
        // Just under 4.5:1 on white (#7a7a7a is 4.29:1) is refused.
        assert!(light_fault(Rgb(0x7a, 0x7a, 0x7a)).is_some());
    }

    #[test]
    fn a_derived_dark_accent_reads_on_the_dark_card() {
        for hex in ["#1f4fd6", "#6d28d9", "#0f766e", "#b91c1c", "#000000"] {
            let Some(c) = Rgb::parse(hex) else { panic!("{hex}") };
            let d = derive_dark(c);
            assert_eq!(dark_fault(d), None, "{hex} → {}", d.hex());
            assert!(d.contrast(DARK_CARD) >= DERIVED_CONTRAST, "{hex} → {}", d.hex());
        }
    }

    #[test]
    fn the_stylesheet_sets_both_themes() {
        let css = stylesheet(Rgb(0x6d, 0x28, 0xd9), None);
        assert!(css.starts_with(":root{--accent:#6d28d9;--accent-dark:#"), "{css}");
        assert!(css.contains("@media (prefers-color-scheme: dark){:root{--accent:#"), "{css}");
        let css = stylesheet(Rgb(0x6d, 0x28, 0xd9), Some(Rgb(0xc4, 0xb5, 0xfd)));
        assert!(css.contains("dark){:root{--accent:#c4b5fd;"), "{css}");
        // Every value is a colour: nothing from the settings file is pasted in.
        assert!(!css.contains(['<', '"', '\'', '\\']));
    }

    #[test]
    fn logos_are_paths_or_https() {
        for ok in ["/logo.svg", "/brand/acme.png", "https://cdn.example.com/acme.svg"] {
            assert!(logo_ok(ok), "{ok}");
        }
        for bad in [
            "logo.svg",
            "//evil.test/x.svg",
            "http://cdn.example.com/a.svg",
            "javascript:alert(1)",
            "/a b.svg",
            "/a\".svg",
            "https://",
            "https:///x",
            "",
        ] {
            assert!(!logo_ok(bad), "{bad}");
        }
        assert_eq!(logo_origin("https://cdn.example.com/a/acme.svg").as_deref(), Some("https://cdn.example.com"));
        assert_eq!(logo_origin("/logo.svg"), None);
    }
}
