//! "What does this product cost here?": on-demand prices from the AWS Price List Query API
//! (`pricing:GetProducts`), as our own `Product`s. The API answers with Price List documents as
//! JSON *strings*; `Product::from_price_list_json` reads one (the embedded price snapshot is
//! made of the same documents, so the sandbox and the offline path share this parser).

use super::CloudError;
use crate::decimal::Dec;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// A `GetProducts` call: a service code and `TERM_MATCH` filters (`productFamily` is matched
/// like an attribute), plus the usage type the product must have. Usage types start with a
/// Region prefix that differs by Region (`APN1-LoadBalancerUsage`; none in us-east-1), so the
/// usage type is checked on our side, as the *whole* name after that prefix: a suffix would also
/// match `APN1-TS-LoadBalancerUsage` (the trust store) and `APN1-Outposts-LoadBalancerUsage`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceQuery {
    pub service_code: String,
    pub filters: Vec<(String, String)>,
    /// The usage type without its Region prefix (`LoadBalancerUsage`).
    #[serde(default)]
    pub usage_type: Option<String>,
}

impl PriceQuery {
    pub fn new(service_code: &str, filters: &[(&str, &str)]) -> PriceQuery {
        PriceQuery {
            service_code: service_code.into(),
            filters: filters
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            usage_type: None,
        }
    }

    /// The product's `usagetype` must be exactly `name` after an optional Region prefix.
    pub fn usage_type(mut self, name: &str) -> PriceQuery {
        self.usage_type = Some(name.into());
        self
    }

    /// Whether `product` satisfies every filter, as `TERM_MATCH` does: the attribute must be
    /// there and equal (a product without the attribute is not matched), and the usage type.
    pub fn matches(&self, product: &Product) -> bool {
        product.service_code == self.service_code
            && self.filters.iter().all(|(field, value)| {
                let actual = if field == "productFamily" {
                    Some(&product.product_family).filter(|f| !f.is_empty())
                } else {
                    product.attributes.get(field)
                };
                actual.is_some_and(|a| a.eq_ignore_ascii_case(value))
            })
            && self.usage_type_matches(product)
    }

    /// Whether `product`'s usage type is the one asked for (always, when none is asked for).
    pub fn usage_type_matches(&self, product: &Product) -> bool {
        self.usage_type.as_deref().is_none_or(|name| {
            product
                .attributes
                .get("usagetype")
                .is_some_and(|u| is_usage_type(u, name))
        })
    }
}

/// `usagetype` is `name`, alone or after a Region prefix: three capitals and a digit (`APN1-`,
/// `USE1-`), or the old `EU-` and `Global-`. The same anchor as infracost's production filter
/// (`internal/resources/aws/lb.go`: `^([A-Z]{3}\d-|Global-|EU-)?LoadBalancerUsage$`).
pub fn is_usage_type(usagetype: &str, name: &str) -> bool {
    let Some(prefix) = usagetype.strip_suffix(name) else {
        return false;
    };
    let b = prefix.as_bytes();
    prefix.is_empty()
        || prefix == "EU-"
        || prefix == "Global-"
        || (b.len() == 5
            && b[..3].iter().all(u8::is_ascii_uppercase)
            && b[3].is_ascii_digit()
            && b[4] == b'-')
}

/// One product with its on-demand price dimensions (tiers, or several charges of one SKU).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Product {
    pub sku: String,
    pub service_code: String,
    /// Empty when the document has none (AmazonVPC's public IPv4 products have none).
    pub product_family: String,
    pub attributes: BTreeMap<String, String>,
    pub dimensions: Vec<PriceDimension>,
    /// The document's `publicationDate`.
    pub published: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PriceDimension {
    pub description: String,
    /// `Hrs`, `GB-Mo`, `IPAddress-Hrs`, `LCU-Hrs`, …
    pub unit: String,
    pub begin_range: Dec,
    /// `None` for `Inf`.
    pub end_range: Option<Dec>,
    pub usd: Dec,
}

impl Product {
    /// Reads one Price List document (an item of `GetProducts`' `PriceList`).
    pub fn from_price_list_json(text: &str) -> Result<Product, String> {
        let doc: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let product = &doc["product"];
        let sku = product["sku"]
            .as_str()
            .ok_or("the document has no product.sku")?
            .to_string();
        let attributes: BTreeMap<String, String> = product["attributes"]
            .as_object()
            .map(|o| {
                o.iter()
                    .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        let mut dimensions = Vec::new();
        if let Some(terms) = doc["terms"]["OnDemand"].as_object() {
            for term in terms.values() {
                let Some(dims) = term["priceDimensions"].as_object() else {
                    continue;
                };
                for dim in dims.values() {
                    let usd = dim["pricePerUnit"]["USD"]
                        .as_str()
                        .and_then(Dec::parse)
                        .ok_or_else(|| format!("{sku}: a price dimension has no USD price"))?;
                    let begin_range = dim["beginRange"]
                        .as_str()
                        .and_then(Dec::parse)
                        .unwrap_or(Dec::ZERO);
                    let end_range = dim["endRange"].as_str().and_then(Dec::parse);
                    dimensions.push(PriceDimension {
                        description: dim["description"].as_str().unwrap_or_default().into(),
                        unit: dim["unit"].as_str().unwrap_or_default().into(),
                        begin_range,
                        end_range,
                        usd,
                    });
                }
            }
        }
        dimensions.sort_by_key(|d| d.begin_range);
        Ok(Product {
            sku,
            service_code: doc["serviceCode"]
                .as_str()
                .or_else(|| product["attributes"]["servicecode"].as_str())
                .unwrap_or_default()
                .into(),
            product_family: product["productFamily"].as_str().unwrap_or_default().into(),
            attributes,
            dimensions,
            published: doc["publicationDate"].as_str().map(str::to_string),
        })
    }

    /// The cost of `quantity` units, tier by tier (`beginRange`/`endRange`); a product whose
    /// dimensions do not cover the quantity from 0 gives `None` rather than a wrong figure.
    pub fn cost_of(&self, quantity: Dec) -> Option<Dec> {
        let mut cost = Dec::ZERO;
        let mut covered = Dec::ZERO;
        for dim in &self.dimensions {
            if dim.begin_range > covered {
                return None;
            }
            let end = dim.end_range.unwrap_or(quantity.max(covered));
            let upto = end.min(quantity);
            if upto > covered {
                cost += (upto - covered).times(dim.usd);
                covered = upto;
            }
            if covered >= quantity {
                return Some(cost);
            }
        }
        (covered >= quantity).then_some(cost)
    }

    /// The price of the first unit (the tier a student's usage falls in).
    pub fn first_price(&self) -> Option<&PriceDimension> {
        self.dimensions.first()
    }
}

/// Where a price came from: AWS's live Price List, or lecture06's embedded snapshot (offline, or
/// a practice account's own Price List).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceSource {
    PriceListApi,
    Snapshot,
}

pub trait PriceList: Send + Sync {
    /// Every on-demand product matching `query` (empty when the Price List has none).
    fn products(&self, query: &PriceQuery) -> Result<Vec<Product>, CloudError>;

    /// Where this Price List's products come from.
    fn source(&self) -> PriceSource;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiered() -> Product {
        let dim = |begin: &str, end: Option<&str>, usd: &str| PriceDimension {
            description: String::new(),
            unit: "GB-Mo".into(),
            begin_range: Dec::parse(begin).unwrap(),
            end_range: end.map(|e| Dec::parse(e).unwrap()),
            usd: Dec::parse(usd).unwrap(),
        };
        Product {
            sku: "X".into(),
            service_code: "AmazonS3".into(),
            product_family: "Storage".into(),
            attributes: BTreeMap::new(),
            dimensions: vec![
                dim("0", Some("51200"), "0.025"),
                dim("51200", Some("512000"), "0.024"),
                dim("512000", None, "0.023"),
            ],
            published: None,
        }
    }

    #[test]
    fn tiers_are_charged_in_turn() {
        let p = tiered();
        // 10 GB, all in the first tier: 10 × 0.025 = 0.25.
        assert_eq!(p.cost_of(Dec::from_int(10)).unwrap().plain(), "0.25");
        // 60,000 GB: 51,200 × 0.025 = 1,280 plus 8,800 × 0.024 = 211.2 → 1,491.2.
        assert_eq!(p.cost_of(Dec::from_int(60_000)).unwrap().plain(), "1491.2");
        // 600,000 GB: 1,280 + 460,800 × 0.024 = 11,059.2, + 88,000 × 0.023 = 2,024 → 14,363.2.
        assert_eq!(
            p.cost_of(Dec::from_int(600_000)).unwrap().plain(),
            "14363.2"
        );
    }

    #[test]
    fn the_usage_type_is_the_whole_name_after_the_region_prefix() {
        for (usagetype, wanted) in [
            ("APN1-LoadBalancerUsage", true),
            ("LoadBalancerUsage", true),
            ("EU-LoadBalancerUsage", true),
            ("APN1-TS-LoadBalancerUsage", false),
            ("APN1-Outposts-LoadBalancerUsage", false),
            ("APN1-ReservedLCUUsage", false),
            ("apn1-LoadBalancerUsage", false),
        ] {
            let name = if usagetype.ends_with("LCUUsage") {
                "LCUUsage"
            } else {
                "LoadBalancerUsage"
            };
            assert_eq!(is_usage_type(usagetype, name), wanted, "{usagetype}");
        }
    }

    #[test]
    fn a_filter_on_an_attribute_the_product_lacks_matches_nothing() {
        let mut ip = tiered();
        ip.service_code = "AmazonVPC".into();
        ip.product_family = String::new();
        ip.attributes
            .insert("group".into(), "VPCPublicIPv4Address".into());
        ip.attributes
            .insert("usagetype".into(), "APN1-PublicIPv4:InUseAddress".into());
        let by_family = PriceQuery::new("AmazonVPC", &[("productFamily", "")]);
        assert!(!by_family.matches(&ip), "no productFamily, no match");
        let by_group = PriceQuery::new("AmazonVPC", &[("group", "VPCPublicIPv4Address")])
            .usage_type("PublicIPv4:InUseAddress");
        assert!(by_group.matches(&ip));
        let idle = PriceQuery::new("AmazonVPC", &[("group", "VPCPublicIPv4Address")])
            .usage_type("PublicIPv4:IdleAddress");
        assert!(!idle.matches(&ip));
    }

    #[test]
    fn a_gap_in_the_tiers_gives_no_price() {
        let mut p = tiered();
        p.dimensions.remove(0);
        assert_eq!(p.cost_of(Dec::from_int(10)), None);
    }
}
