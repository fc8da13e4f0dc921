//! The coded vocabularies of the glossary (DESIGN §2): each value has a stable code
//! stored in the database and sent over the API, a Chinese label and an English label.
//! Parsing accepts the code or either label, so spreadsheets in Chinese import as is.

/// Declares a coded enum with `code()`, `zh()`, `en()`, `ALL` and a forgiving `parse`.
macro_rules! coded {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $code:literal, $zh:literal, $en:literal;)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub const fn code(self) -> &'static str { match self { $($name::$variant => $code),+ } }
            pub const fn zh(self) -> &'static str { match self { $($name::$variant => $zh),+ } }
            pub const fn en(self) -> &'static str { match self { $($name::$variant => $en),+ } }
            /// Accepts the code, the Chinese label or the English label (case-insensitive).
            pub fn parse(field: &str, input: &str) -> Result<$name, $crate::error::FieldError> {
                let s = $crate::text::normalize(input);
                if s.is_empty() {
                    return Err($crate::error::FieldError::required(field));
                }
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.code() == s || v.zh() == s || v.en().eq_ignore_ascii_case(&s))
                    .ok_or_else(|| {
                        let zh: Vec<&str> = $name::ALL.iter().map(|v| v.zh()).collect();
                        let en: Vec<&str> = $name::ALL.iter().map(|v| v.code()).collect();
                        $crate::error::FieldError::new(
                            field,
                            "unknown_code",
                            format!("“{input}”不是可选值，可选：{}", zh.join("、")),
                            format!("'{input}' is not one of: {}", en.join(", ")),
                        )
                    })
            }
            /// Decode a stored code (the database only holds valid codes).
            pub fn from_code(code: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.code() == code)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }

        /// In the API's document: one of the codes (the Chinese and English labels are
        /// accepted too, as spreadsheets write them).
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                let codes: Vec<&str> = $name::ALL.iter().map(|v| v.code()).collect();
                let labels: Vec<String> =
                    $name::ALL.iter().map(|v| format!("{} {}", v.code(), v.zh())).collect();
                schemars::json_schema!({
                    "type": "string",
                    "enum": codes,
                    "description": labels.join(", "),
                })
            }
        }
    };
}

pub(crate) use coded;

coded!(
    /// Kind of a unit in the tree (兵团/师市/团场, 自治区/地州/县, departments, enterprises).
    UnitKind {
        Government = "government", "政府", "government";
        Division = "division", "师市", "corps division";
        Regiment = "regiment", "团场", "regiment";
        Company = "company", "连队", "company";
        Department = "department", "部门", "department";
        Enterprise = "enterprise", "企业", "enterprise";
        Park = "park", "园区", "industrial park";
        Command = "command", "指挥部", "command";
    }
);

coded!(
    /// 建设性质
    Nature {
        New = "new", "新建", "new";
        Continuing = "continuing", "续建", "continuing";
        Preparatory = "preparatory", "前期", "preparatory";
    }
);

coded!(
    /// Project lifecycle status.
    ProjectStatus {
        Planning = "planning", "谋划", "planning";
        Reserve = "reserve", "储备", "reserve";
        Preliminary = "preliminary", "前期", "preliminary";
        Construction = "construction", "在建", "under construction";
        Completed = "completed", "竣工", "completed";
        Operating = "operating", "投产", "in operation";
        Suspended = "suspended", "停缓建", "suspended";
        Cancelled = "cancelled", "取消", "cancelled";
    }
);

coded!(
    /// 项目级别
    Level {
        National = "national", "国家级", "national";
        Provincial = "provincial", "省级", "provincial";
        City = "city", "市级", "city";
        County = "county", "县级", "county";
    }
);

coded!(
    /// 项目类别
    Category {
        Industry = "industry", "产业", "industry";
        Infrastructure = "infrastructure", "基础设施", "infrastructure";
        Livelihood = "livelihood", "民生", "livelihood";
        Agriculture = "agriculture", "农业农村", "agriculture";
        Ecology = "ecology", "生态环保", "ecology";
        Energy = "energy", "能源", "energy";
        Social = "social", "社会事业", "social services";
    }
);

coded!(
    /// 资金来源
    FundingSource {
        CentralBudget = "central_budget", "中央预算内", "central budget";
        SpecialBond = "special_bond", "专项债", "special bonds";
        Aid = "aid", "援疆资金", "aid funds";
        LocalFiscal = "local_fiscal", "地方财政", "local fiscal";
        SelfRaised = "self_raised", "自筹", "self-raised";
        Loan = "loan", "贷款", "loans";
    }
);

impl FundingSource {
    /// A source as spreadsheets name it: the label, or one of the usual phrasings
    /// (企业自筹, 银行贷款, 中央预算内投资, 地方政府专项债券, 市级财政 …).
    pub fn from_phrase(s: &str) -> Option<FundingSource> {
        let t: String = crate::text::normalize(s)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if let Ok(f) = FundingSource::parse("funding", &t) {
            return Some(f);
        }
        const PHRASES: &[(&str, FundingSource)] = &[
            ("中央预算内", FundingSource::CentralBudget),
            ("中央资金", FundingSource::CentralBudget),
            ("中央投资", FundingSource::CentralBudget),
            ("专项债", FundingSource::SpecialBond),
            ("援疆", FundingSource::Aid),
            ("财政", FundingSource::LocalFiscal),
            ("自筹", FundingSource::SelfRaised),
            ("自有资金", FundingSource::SelfRaised),
            ("社会资本", FundingSource::SelfRaised),
            ("贷款", FundingSource::Loan),
            ("融资", FundingSource::Loan),
        ];
        PHRASES.iter().find(|(p, _)| t.contains(p)).map(|(_, f)| *f)
    }
}

coded!(
    /// 要素保障 and problem categories.
    ProblemCategory {
        Land = "land", "用地", "land";
        Energy = "energy", "用能", "energy";
        Water = "water", "用水", "water";
        Funding = "funding", "资金", "funding";
        Approval = "approval", "审批", "approval";
        Demolition = "demolition", "征迁", "demolition";
        Labour = "labour", "用工", "labour";
        Quality = "quality", "质量安全", "quality and safety";
        Other = "other", "其他", "other";
    }
);

coded!(
    /// Where a problem came from.
    ProblemSource {
        Report = "report", "进度填报", "progress report";
        Inspection = "inspection", "督查", "inspection";
        Dispatch = "dispatch", "调度会", "dispatch meeting";
        Leader = "leader", "领导交办", "leader";
    }
);

coded!(
    /// The roles of DESIGN §1.
    Role {
        Admin = "admin", "系统管理员", "system administrator";
        Auditor = "auditor", "审计管理员", "security auditor";
        Supervisor = "supervisor", "督办人员", "supervisor";
        Reporter = "reporter", "填报员", "reporter";
        Approver = "approver", "审核员", "approver";
        Leader = "leader", "领导", "leader";
        Reviewer = "reviewer", "评议人", "reviewer";
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_code_and_labels() {
        assert_eq!(Nature::parse("nature", "续建").unwrap(), Nature::Continuing);
        assert_eq!(Nature::parse("nature", " new ").unwrap(), Nature::New);
        assert_eq!(
            ProjectStatus::parse("status", "Under Construction").unwrap(),
            ProjectStatus::Construction
        );
        let e = Nature::parse("nature", "改建").unwrap_err();
        assert_eq!(e.field, "nature");
        assert!(e.zh.contains("新建、续建、前期"), "{}", e.zh);
        assert_eq!(FundingSource::from_code("aid"), Some(FundingSource::Aid));
    }

    #[test]
    fn codes_are_unique() {
        let mut codes: Vec<_> = ProjectStatus::ALL.iter().map(|s| s.code()).collect();
        codes.dedup();
        assert_eq!(codes.len(), ProjectStatus::ALL.len());
    }
}
