//! ISO 3166-1 alpha-2 country codes with their continent and EU membership,
//! and AS numbers as people write them.
//!
//! Used to validate the codes users ask for (with close matches when a code
//! is unknown), to fill in the continent and EU flag for databases that store
//! only a country code (ip-location-db), and to write complete records in
//! `tl-geo build`. Continents follow GeoNames, as MaxMind's databases do; `XK`
//! (Kosovo) is the user-assigned code those databases use.

/// A two-letter code (country or continent), upper case ASCII.
pub type Code = [u8; 2];

/// One country: code, continent code, English short name.
pub struct Country {
    pub code: &'static str,
    pub continent: &'static str,
    pub name: &'static str,
}

macro_rules! countries {
    ($($code:literal $cont:literal $name:literal;)*) => {
        &[$(Country { code: $code, continent: $cont, name: $name },)*]
    };
}

/// Every code, sorted.
pub static COUNTRIES: &[Country] = countries! {
    "AD" "EU" "Andorra"; "AE" "AS" "United Arab Emirates"; "AF" "AS" "Afghanistan";
    "AG" "NA" "Antigua and Barbuda"; "AI" "NA" "Anguilla"; "AL" "EU" "Albania";
    "AM" "AS" "Armenia"; "AO" "AF" "Angola"; "AQ" "AN" "Antarctica"; "AR" "SA" "Argentina";
    "AS" "OC" "American Samoa"; "AT" "EU" "Austria"; "AU" "OC" "Australia"; "AW" "NA" "Aruba";
    "AX" "EU" "Aland Islands"; "AZ" "AS" "Azerbaijan"; "BA" "EU" "Bosnia and Herzegovina";
    "BB" "NA" "Barbados"; "BD" "AS" "Bangladesh"; "BE" "EU" "Belgium"; "BF" "AF" "Burkina Faso";
    "BG" "EU" "Bulgaria"; "BH" "AS" "Bahrain"; "BI" "AF" "Burundi"; "BJ" "AF" "Benin";
    "BL" "NA" "Saint Barthelemy"; "BM" "NA" "Bermuda"; "BN" "AS" "Brunei"; "BO" "SA" "Bolivia";
    "BQ" "NA" "Bonaire, Sint Eustatius and Saba"; "BR" "SA" "Brazil"; "BS" "NA" "Bahamas";
    "BT" "AS" "Bhutan"; "BV" "AN" "Bouvet Island"; "BW" "AF" "Botswana"; "BY" "EU" "Belarus";
    "BZ" "NA" "Belize"; "CA" "NA" "Canada"; "CC" "AS" "Cocos (Keeling) Islands";
    "CD" "AF" "Congo (Democratic Republic)"; "CF" "AF" "Central African Republic";
    "CG" "AF" "Congo"; "CH" "EU" "Switzerland"; "CI" "AF" "Cote d'Ivoire"; "CK" "OC" "Cook Islands";
    "CL" "SA" "Chile"; "CM" "AF" "Cameroon"; "CN" "AS" "China"; "CO" "SA" "Colombia";
    "CR" "NA" "Costa Rica"; "CU" "NA" "Cuba"; "CV" "AF" "Cabo Verde"; "CW" "NA" "Curacao";
    "CX" "OC" "Christmas Island"; "CY" "EU" "Cyprus"; "CZ" "EU" "Czechia"; "DE" "EU" "Germany";
    "DJ" "AF" "Djibouti"; "DK" "EU" "Denmark"; "DM" "NA" "Dominica"; "DO" "NA" "Dominican Republic";
    "DZ" "AF" "Algeria"; "EC" "SA" "Ecuador"; "EE" "EU" "Estonia"; "EG" "AF" "Egypt";
    "EH" "AF" "Western Sahara"; "ER" "AF" "Eritrea"; "ES" "EU" "Spain"; "ET" "AF" "Ethiopia";
    "FI" "EU" "Finland"; "FJ" "OC" "Fiji"; "FK" "SA" "Falkland Islands"; "FM" "OC" "Micronesia";
    "FO" "EU" "Faroe Islands"; "FR" "EU" "France"; "GA" "AF" "Gabon"; "GB" "EU" "United Kingdom";
    "GD" "NA" "Grenada"; "GE" "AS" "Georgia"; "GF" "SA" "French Guiana"; "GG" "EU" "Guernsey";
    "GH" "AF" "Ghana"; "GI" "EU" "Gibraltar"; "GL" "NA" "Greenland"; "GM" "AF" "Gambia";
    "GN" "AF" "Guinea"; "GP" "NA" "Guadeloupe"; "GQ" "AF" "Equatorial Guinea"; "GR" "EU" "Greece";
    "GS" "AN" "South Georgia and the South Sandwich Islands"; "GT" "NA" "Guatemala";
    "GU" "OC" "Guam"; "GW" "AF" "Guinea-Bissau"; "GY" "SA" "Guyana"; "HK" "AS" "Hong Kong";
    "HM" "AN" "Heard Island and McDonald Islands"; "HN" "NA" "Honduras"; "HR" "EU" "Croatia";
    "HT" "NA" "Haiti"; "HU" "EU" "Hungary"; "ID" "AS" "Indonesia"; "IE" "EU" "Ireland";
    "IL" "AS" "Israel"; "IM" "EU" "Isle of Man"; "IN" "AS" "India";
    "IO" "AS" "British Indian Ocean Territory"; "IQ" "AS" "Iraq"; "IR" "AS" "Iran";
    "IS" "EU" "Iceland"; "IT" "EU" "Italy"; "JE" "EU" "Jersey"; "JM" "NA" "Jamaica";
    "JO" "AS" "Jordan"; "JP" "AS" "Japan"; "KE" "AF" "Kenya"; "KG" "AS" "Kyrgyzstan";
    "KH" "AS" "Cambodia"; "KI" "OC" "Kiribati"; "KM" "AF" "Comoros"; "KN" "NA" "Saint Kitts and Nevis";
    "KP" "AS" "North Korea"; "KR" "AS" "South Korea"; "KW" "AS" "Kuwait"; "KY" "NA" "Cayman Islands";
    "KZ" "AS" "Kazakhstan"; "LA" "AS" "Laos"; "LB" "AS" "Lebanon"; "LC" "NA" "Saint Lucia";
    "LI" "EU" "Liechtenstein"; "LK" "AS" "Sri Lanka"; "LR" "AF" "Liberia"; "LS" "AF" "Lesotho";
    "LT" "EU" "Lithuania"; "LU" "EU" "Luxembourg"; "LV" "EU" "Latvia"; "LY" "AF" "Libya";
    "MA" "AF" "Morocco"; "MC" "EU" "Monaco"; "MD" "EU" "Moldova"; "ME" "EU" "Montenegro";
    "MF" "NA" "Saint Martin (French part)"; "MG" "AF" "Madagascar"; "MH" "OC" "Marshall Islands";
    "MK" "EU" "North Macedonia"; "ML" "AF" "Mali"; "MM" "AS" "Myanmar"; "MN" "AS" "Mongolia";
    "MO" "AS" "Macao"; "MP" "OC" "Northern Mariana Islands"; "MQ" "NA" "Martinique";
    "MR" "AF" "Mauritania"; "MS" "NA" "Montserrat"; "MT" "EU" "Malta"; "MU" "AF" "Mauritius";
    "MV" "AS" "Maldives"; "MW" "AF" "Malawi"; "MX" "NA" "Mexico"; "MY" "AS" "Malaysia";
    "MZ" "AF" "Mozambique"; "NA" "AF" "Namibia"; "NC" "OC" "New Caledonia"; "NE" "AF" "Niger";
    "NF" "OC" "Norfolk Island"; "NG" "AF" "Nigeria"; "NI" "NA" "Nicaragua"; "NL" "EU" "Netherlands";
    "NO" "EU" "Norway"; "NP" "AS" "Nepal"; "NR" "OC" "Nauru"; "NU" "OC" "Niue";
    "NZ" "OC" "New Zealand"; "OM" "AS" "Oman"; "PA" "NA" "Panama"; "PE" "SA" "Peru";
    "PF" "OC" "French Polynesia"; "PG" "OC" "Papua New Guinea"; "PH" "AS" "Philippines";
    "PK" "AS" "Pakistan"; "PL" "EU" "Poland"; "PM" "NA" "Saint Pierre and Miquelon";
    "PN" "OC" "Pitcairn"; "PR" "NA" "Puerto Rico"; "PS" "AS" "Palestine"; "PT" "EU" "Portugal";
    "PW" "OC" "Palau"; "PY" "SA" "Paraguay"; "QA" "AS" "Qatar"; "RE" "AF" "Reunion";
    "RO" "EU" "Romania"; "RS" "EU" "Serbia"; "RU" "EU" "Russia"; "RW" "AF" "Rwanda";
    "SA" "AS" "Saudi Arabia"; "SB" "OC" "Solomon Islands"; "SC" "AF" "Seychelles"; "SD" "AF" "Sudan";
    "SE" "EU" "Sweden"; "SG" "AS" "Singapore"; "SH" "AF" "Saint Helena"; "SI" "EU" "Slovenia";
    "SJ" "EU" "Svalbard and Jan Mayen"; "SK" "EU" "Slovakia"; "SL" "AF" "Sierra Leone";
    "SM" "EU" "San Marino"; "SN" "AF" "Senegal"; "SO" "AF" "Somalia"; "SR" "SA" "Suriname";
    "SS" "AF" "South Sudan"; "ST" "AF" "Sao Tome and Principe"; "SV" "NA" "El Salvador";
    "SX" "NA" "Sint Maarten (Dutch part)"; "SY" "AS" "Syria"; "SZ" "AF" "Eswatini";
    "TC" "NA" "Turks and Caicos Islands"; "TD" "AF" "Chad"; "TF" "AN" "French Southern Territories";
    "TG" "AF" "Togo"; "TH" "AS" "Thailand"; "TJ" "AS" "Tajikistan"; "TK" "OC" "Tokelau";
    "TL" "OC" "Timor-Leste"; "TM" "AS" "Turkmenistan"; "TN" "AF" "Tunisia"; "TO" "OC" "Tonga";
    "TR" "AS" "Turkey"; "TT" "NA" "Trinidad and Tobago"; "TV" "OC" "Tuvalu"; "TW" "AS" "Taiwan";
    "TZ" "AF" "Tanzania"; "UA" "EU" "Ukraine"; "UG" "AF" "Uganda";
    "UM" "OC" "United States Minor Outlying Islands"; "US" "NA" "United States";
    "UY" "SA" "Uruguay"; "UZ" "AS" "Uzbekistan"; "VA" "EU" "Holy See"; "VC" "NA" "Saint Vincent and the Grenadines";
    "VE" "SA" "Venezuela"; "VG" "NA" "Virgin Islands (British)"; "VI" "NA" "Virgin Islands (U.S.)";
    "VN" "AS" "Vietnam"; "VU" "OC" "Vanuatu"; "WF" "OC" "Wallis and Futuna"; "WS" "OC" "Samoa";
    "XK" "EU" "Kosovo"; "YE" "AS" "Yemen"; "YT" "AF" "Mayotte"; "ZA" "AF" "South Africa";
    "ZM" "AF" "Zambia"; "ZW" "AF" "Zimbabwe";
};

/// Members of the European Union.
static EU: &[&str] = &[
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
];

/// Continent codes as GeoNames and MaxMind use them.
pub static CONTINENTS: &[(&str, &str)] = &[
    ("AF", "Africa"),
    ("AN", "Antarctica"),
    ("AS", "Asia"),
    ("EU", "Europe"),
    ("NA", "North America"),
    ("OC", "Oceania"),
    ("SA", "South America"),
];

/// Codes people write that are not the ISO code of what they mean.
static ALIASES: &[(&str, &str)] = &[("UK", "GB"), ("EL", "GR")];

/// A two-letter ASCII code, upper-cased; `None` for anything else.
pub fn code(text: &[u8]) -> Option<Code> {
    match text {
        [a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
            Some([a.to_ascii_uppercase(), b.to_ascii_uppercase()])
        }
        _ => None,
    }
}

pub fn code_str(c: &Code) -> &str {
    // Codes are built only by `code`, so they are ASCII.
    std::str::from_utf8(c).unwrap_or("??")
}

/// The country with this code.
pub fn country(c: Code) -> Option<&'static Country> {
    COUNTRIES
        .binary_search_by(|x| x.code.as_bytes().cmp(&c[..]))
        .ok()
        .map(|i| &COUNTRIES[i])
}

pub fn continent_of(c: Code) -> Option<Code> {
    country(c).and_then(|x| code(x.continent.as_bytes()))
}

pub fn in_eu(c: Code) -> bool {
    EU.contains(&code_str(&c))
}

pub fn is_continent(c: Code) -> bool {
    CONTINENTS.iter().any(|(k, _)| k.as_bytes() == c)
}

/// The digits of an AS number as written (`64496`, `AS64496`, `as64496`):
/// one to ten ASCII digits after the optional prefix; `None` for other text.
pub fn asn_digits(text: &[u8]) -> Option<&[u8]> {
    let d = text
        .strip_prefix(b"AS")
        .or_else(|| text.strip_prefix(b"as"))
        .unwrap_or(text);
    (!d.is_empty() && d.len() <= 10 && d.iter().all(u8::is_ascii_digit)).then_some(d)
}

/// An AS number as written (see [`asn_digits`]) that fits in 32 bits.
pub fn parse_asn(text: &[u8]) -> Option<u32> {
    std::str::from_utf8(asn_digits(text)?).ok()?.parse().ok()
}

/// Why a country or continent code was refused, with close matches.
pub fn unknown(text: &str, continents: bool) -> String {
    let what = if continents { "continent" } else { "country" };
    let mut out = format!(
        "unknown {what} code {}",
        crate::error::quote(text.as_bytes())
    );
    let matches = if continents {
        close_continents(text)
    } else {
        close_countries(text)
    };
    if !matches.is_empty() {
        out.push_str("; did you mean ");
        out.push_str(&matches.join(", "));
        out.push('?');
    }
    out
}

/// Codes that a mistyped country `text` could have meant: the ISO code of a
/// known alias, names containing the text, and codes one letter away.
pub fn close_countries(text: &str) -> Vec<String> {
    let t = text.trim().to_ascii_uppercase();
    let show = |c: &Country| format!("{} ({})", c.code, c.name);
    let mut out: Vec<String> = Vec::new();
    for (alias, real) in ALIASES {
        if *alias == t {
            out.extend(code(real.as_bytes()).and_then(country).map(show));
        }
    }
    if t.len() > 2 {
        out.extend(
            COUNTRIES
                .iter()
                .filter(|c| c.name.to_ascii_uppercase().contains(&t))
                .map(show),
        );
    } else if t.len() == 2 {
        out.extend(
            COUNTRIES
                .iter()
                .filter(|c| {
                    c.code
                        .bytes()
                        .zip(t.bytes())
                        .filter(|(a, b)| a != b)
                        .count()
                        == 1
                })
                .map(show),
        );
    }
    out.dedup();
    out.truncate(8);
    out
}

fn close_continents(text: &str) -> Vec<String> {
    let t = text.trim().to_ascii_uppercase();
    CONTINENTS
        .iter()
        .filter(|(c, n)| {
            n.to_ascii_uppercase().contains(&t)
                || (t.len() == 2 && c.bytes().zip(t.bytes()).any(|(a, b)| a == b))
        })
        .map(|(c, n)| format!("{c} ({n})"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_consistent() {
        assert!(COUNTRIES.windows(2).all(|w| w[0].code < w[1].code));
        for c in COUNTRIES {
            assert!(code(c.code.as_bytes()).is_some(), "{}", c.code);
            assert!(is_continent(code(c.continent.as_bytes()).unwrap()));
        }
        assert!(EU
            .iter()
            .all(|e| country(code(e.as_bytes()).unwrap()).is_some()));
        assert_eq!(EU.len(), 27);
    }

    #[test]
    fn lookups_and_suggestions() {
        assert_eq!(continent_of(*b"FR"), Some(*b"EU"));
        assert!(in_eu(*b"FR") && !in_eu(*b"CH"));
        assert!(country(*b"ZZ").is_none());
        let uk = close_countries("uk");
        assert_eq!(uk[0], "GB (United Kingdom)");
        assert!(close_countries("france").contains(&"FR (France)".to_string()));
        assert!(unknown("XQ", false).starts_with("unknown country code 'XQ'; did you mean"));
    }

    #[test]
    fn as_numbers() {
        assert_eq!(parse_asn(b"64496"), Some(64496));
        assert_eq!(parse_asn(b"AS64496"), Some(64496));
        assert_eq!(parse_asn(b"as1"), Some(1));
        assert_eq!(parse_asn(b"4294967296"), None);
        assert!(asn_digits(b"4294967296").is_some());
        for bad in [&b""[..], b"AS", b"+5", b"12345678901", b"FR", b"As1"] {
            assert_eq!(parse_asn(bad), None, "{bad:?}");
        }
    }
}
