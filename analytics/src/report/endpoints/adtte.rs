//! The ADTTE rows: one parameter's rows from the analysis set ([`param_rows`]) and all of them,
//! sorted ([`adtte`]), with the censoring descriptions.

use polars::prelude::*;

use super::{EndpointOptions, Param, cnsr, days, params};

fn censor_text() -> Expr {
    when(
        col("CNSR")
            .eq(lit(cnsr::LAST_MEASUREMENT))
            .and(col("PARAMCD").eq(lit("BCAPL"))),
    )
    .then(lit("LAST B-CELL COUNT"))
    .when(col("CNSR").eq(lit(cnsr::LAST_MEASUREMENT)))
    .then(lit("LAST PERSISTENCE TEST"))
    .when(col("CNSR").eq(lit(cnsr::NEW_THERAPY)))
    .then(lit("START OF SUBSEQUENT THERAPY"))
    .when(col("CNSR").eq(lit(cnsr::LOST)))
    .then(lit("LAST CONTACT BEFORE LOSS TO FOLLOW-UP"))
    .when(col("CNSR").eq(lit(cnsr::LAST_CONTACT)))
    .then(lit("LAST CONTACT"))
    .otherwise(lit(""))
}
/// ADTTE rows of one parameter from the analysis set (not yet sorted).
pub fn param_rows(set: LazyFrame, p: Param) -> LazyFrame {
    set.filter(p.filter)
        .select([
            col("usubjid").alias("USUBJID"),
            lit(p.code).alias("PARAMCD"),
            lit(p.label).alias("PARAM"),
            p.start.alias("STARTDT"),
            p.adt.alias("ADT"),
            p.cnsr.alias("CNSR"),
            p.evntdesc.alias("EVNTDESC_RAW"),
            p.crcause.alias("CRCAUSE"),
            col("disease").alias("DISEASE"),
            col("product").alias("PRODUCT"),
            col("antigen").alias("ANTIGEN"),
            col("site").alias("SITE"),
        ])
        .with_columns([
            (days("ADT") - days("STARTDT")).alias("AVAL"),
            lit("DAYS").alias("AVALU"),
            when(col("CNSR").eq(lit(cnsr::EVENT)))
                .then(col("EVNTDESC_RAW"))
                .when(col("CNSR").eq(lit(cnsr::COMPETING)))
                .then(lit("COMPETING EVENT"))
                .otherwise(lit(""))
                .alias("EVNTDESC"),
            censor_text().alias("CNSDTDSC"),
        ])
        .select([
            col("USUBJID"),
            col("PARAMCD"),
            col("PARAM"),
            col("STARTDT"),
            col("ADT"),
            col("AVAL"),
            col("AVALU"),
            col("CNSR"),
            col("EVNTDESC"),
            col("CNSDTDSC"),
            col("CRCAUSE"),
            col("DISEASE"),
            col("PRODUCT"),
            col("ANTIGEN"),
            col("SITE"),
        ])
}

/// All ADTTE rows, sorted by `USUBJID` then parameter order.
pub fn adtte(set: &DataFrame, opts: &EndpointOptions) -> PolarsResult<DataFrame> {
    let params = params(opts)?;
    let mut frames = Vec::with_capacity(params.len());
    for (i, p) in params.into_iter().enumerate() {
        let order = i32::try_from(i).unwrap_or(0);
        frames.push(param_rows(set.clone().lazy(), p).with_column(lit(order).alias("_order")));
    }
    concat(frames, UnionArgs::default())?
        // Impossible by construction (dates after death are dropped first); a guard so the
        // engine never sees a negative time.
        .filter(col("AVAL").gt_eq(lit(0)))
        .sort_by_exprs(
            [col("USUBJID"), col("_order")],
            SortMultipleOptions::default(),
        )
        .drop(cols(["_order"]))
        .collect()
}
