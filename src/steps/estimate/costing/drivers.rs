//! What costs the most and what would shrink it: the (at most) three dearest lines of an
//! estimate, each with advice for its kind of charge.

use super::{Charge, Ipv4Holder, Line};
use crate::decimal::Dec;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Driver {
    pub line: usize,
    pub monthly_usd: Dec,
    /// Share of the monthly total, in percent (one decimal).
    pub percent: Dec,
    pub advice_en: String,
    pub advice_ja: String,
}

/// The (at most) three lines that cost the most, with what would shrink each.
pub fn drivers(lines: &[Line], monthly_total: Dec) -> Vec<Driver> {
    let mut priced: Vec<(usize, Dec)> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| l.monthly_usd.map(|m| (i, m)))
        .filter(|(_, m)| !m.is_zero())
        .collect();
    priced.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    priced
        .into_iter()
        .take(3)
        .map(|(i, monthly)| {
            let (en, ja) = advice(&lines[i].charge);
            Driver {
                line: i,
                monthly_usd: monthly,
                percent: monthly
                    .times(Dec::from_int(100))
                    .divided_by(monthly_total)
                    .unwrap_or(Dec::ZERO)
                    .round(1),
                advice_en: en.into(),
                advice_ja: ja.into(),
            }
        })
        .collect()
}

fn advice(charge: &Charge) -> (&'static str, &'static str) {
    match charge {
        Charge::DbHours { multi_az: true, .. } => (
            "Multi-AZ doubles the instance price: use Single-AZ for a practice app, and stop the DB when you are not using it (RDS starts a stopped DB again after 7 days).",
            "Multi-AZ はインスタンス料金が 2 倍です。練習用なら Single-AZ にし、使わないときは DB を停止しましょう（停止した DB は 7 日後に自動で起動します）。",
        ),
        Charge::DbHours { .. } => (
            "Stop the DB instance when you are not using it (RDS starts it again after 7 days, so stop it again or automate it), or delete it after the course with a final snapshot.",
            "使わないときは DB インスタンスを停止しましょう（7 日後に自動で起動するので、再度停止するか自動化を）。講座の後は最終スナップショットを取って削除できます。",
        ),
        Charge::DbStorage { .. } => (
            "Storage is charged while the DB is stopped too: allocate only what you need (20 GB is the minimum for gp2).",
            "ストレージは DB の停止中も課金されます。必要な分だけ割り当てましょう（gp2 の最小は 20 GB）。",
        ),
        Charge::LoadBalancerHours { .. } => (
            "An ALB is charged every hour it exists, traffic or not: delete it when you are not practising and re-create it (CloudFormation/Terraform makes that quick).",
            "ALB はトラフィックがなくても存在する間ずっと課金されます。練習しないときは削除し、必要なときに作り直しましょう（CloudFormation や Terraform なら簡単です）。",
        ),
        Charge::LoadBalancerCapacityUnits => (
            "LCUs follow traffic: a practice app's are small; check the assumption of GB processed.",
            "LCU はトラフィックに比例します。練習用アプリでは小さいので、処理する GB の前提を確認しましょう。",
        ),
        Charge::InstanceHours { .. } => (
            "Stop the instance when you are not using it (instance hours stop; EBS is still charged), or pick a smaller or newer type (t3/t4g).",
            "使わないときはインスタンスを停止しましょう（インスタンス時間の課金が止まります。EBS は課金されます）。より小さい・新しいタイプ（t3/t4g）も検討を。",
        ),
        Charge::Volume { .. } => (
            "Shrink the volume to what you use, move gp2 to gp3 (about 20 % cheaper), and delete volumes and snapshots left behind.",
            "使う分だけの容量にし、gp2 を gp3 に変え（約 2 割安い）、残ったボリュームやスナップショットを削除しましょう。",
        ),
        Charge::PublicIpv4 {
            holder: Ipv4Holder::IdleElasticIp,
        } => (
            "An Elastic IP associated with nothing is still charged every hour: release it (EC2 → Elastic IPs → Release).",
            "何にも関連付けていない Elastic IP も 1 時間ごとに課金されます。解放しましょう（EC2 → Elastic IP → 解放）。",
        ),
        Charge::PublicIpv4 {
            holder: Ipv4Holder::LoadBalancer,
        } => (
            "An internet-facing ALB has a public IPv4 address in each Availability Zone, charged whenever the ALB exists: delete the ALB when you are not practising.",
            "インターネット向け ALB はアベイラビリティーゾーンごとにパブリック IPv4 アドレスを持ち、ALB がある間ずっと課金されます。練習しないときは ALB を削除しましょう。",
        ),
        Charge::PublicIpv4 { .. } => (
            "Every public IPv4 address costs 0.005 USD an hour: release Elastic IPs you do not use, and avoid auto-assigned ones where not needed.",
            "パブリック IPv4 アドレスは 1 個 1 時間 0.005 USD です。使っていない Elastic IP を解放し、不要な自動割り当てを避けましょう。",
        ),
        Charge::DbExtendedSupport { .. } => (
            "This engine version is past RDS standard support and billed Extended Support per vCPU-hour: upgrade the DB to a version in standard support (MySQL 8.4) and the charge stops.",
            "このエンジンバージョンは RDS の標準サポートが終了しており、vCPU 時間ごとに延長サポート料金がかかります。標準サポート中のバージョン（MySQL 8.4）にアップグレードすれば課金が止まります。",
        ),
        Charge::NatGatewayHours => (
            "A NAT gateway is charged every hour it exists: delete it if nothing in a private subnet needs the internet.",
            "NAT ゲートウェイは存在する間ずっと課金されます。プライベートサブネットからインターネットに出る必要がなければ削除しましょう。",
        ),
        Charge::S3Standard => (
            "Delete what you no longer need (CloudTrail data-event logs grow fast) and set lifecycle rules to expire or move old objects.",
            "不要なオブジェクトを削除し（CloudTrail のデータイベントのログはすぐ増えます）、ライフサイクルルールで古いものを削除・移動しましょう。",
        ),
    }
}
