//! `pricing:GetProducts` on the Price List Query API's us-east-1 endpoint (it serves every
//! Region's prices). Filters are `TERM_MATCH`; each `PriceList` item is a JSON document in a
//! string, read by `Product::from_price_list_json`. The usage type is checked here, after the
//! Region prefix (`PriceQuery::usage_type_matches`), since TERM_MATCH cannot match a pattern.

use super::{Aws, classify};
use crate::cloud::pricing::{PriceList, PriceQuery, PriceSource, Product};
use crate::cloud::{CloudError, CloudErrorKind};
use aws_config::Region;
use aws_sdk_pricing::types::{Filter, FilterType};

const ACTION: &str = "pricing:GetProducts";
pub const PRICING_REGION: &str = "us-east-1";

pub struct PricingAdapter {
    aws: Aws,
    client: aws_sdk_pricing::Client,
}

impl PricingAdapter {
    pub fn new(aws: Aws) -> PricingAdapter {
        let config = aws_sdk_pricing::config::Builder::from(&aws.config)
            .region(Region::new(PRICING_REGION))
            .build();
        PricingAdapter {
            aws,
            client: aws_sdk_pricing::Client::from_conf(config),
        }
    }
}

impl PriceList for PricingAdapter {
    fn source(&self) -> PriceSource {
        PriceSource::PriceListApi
    }

    fn products(&self, query: &PriceQuery) -> Result<Vec<Product>, CloudError> {
        let filters = query
            .filters
            .iter()
            .map(|(field, value)| {
                Filter::builder()
                    .r#type(FilterType::TermMatch)
                    .field(field)
                    .value(value)
                    .build()
                    .map_err(|e| {
                        CloudError::new(CloudErrorKind::InvalidInput, ACTION, e.to_string())
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.aws.block_on(async {
            let mut products = Vec::new();
            let mut next_token = None;
            loop {
                let page = self
                    .client
                    .get_products()
                    .service_code(&query.service_code)
                    .set_filters(Some(filters.clone()))
                    .format_version("aws_v1")
                    .max_results(100)
                    .set_next_token(next_token.take())
                    .send()
                    .await
                    .map_err(|e| classify(e, ACTION).in_region(PRICING_REGION))?;
                for item in page.price_list() {
                    let product = Product::from_price_list_json(item).map_err(|e| {
                        CloudError::new(
                            CloudErrorKind::Other,
                            ACTION,
                            format!("a PriceList document could not be read: {e}"),
                        )
                    })?;
                    if query.usage_type_matches(&product) {
                        products.push(product);
                    }
                }
                next_token = page.next_token().map(str::to_string);
                if next_token.is_none() {
                    break;
                }
            }
            Ok(products)
        })
    }
}
