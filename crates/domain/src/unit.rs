//! Units (单位) form a tree: 兵团 → 师市 → 团场 → 连队, plus departments and enterprises.

use crate::codes::UnitKind;
use crate::error::{FieldError, ValidationErrors};
use crate::ids::ChainId;
use crate::text::{clean_name, normalize};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

pub type UnitId = i64;

/// A validated unit as the registry holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    pub id: UnitId,
    pub parent_id: Option<UnitId>,
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    /// Ranking series (e.g. "师市" vs "部门"), so that like is ranked with like.
    pub series: String,
    pub sort: i64,
    /// Optimistic-concurrency version, bumped by every change.
    pub version: i64,
}

/// What a user sends to create a unit, before validation.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitInput {
    /// On update: the version the change is based on (optimistic concurrency).
    #[serde(default)]
    pub version: Option<i64>,
    pub parent_id: Option<UnitId>,
    #[schemars(length(min = 1, max = 32), regex(pattern = r"^\s*[A-Za-z0-9_-]+\s*$"))]
    pub code: String,
    #[schemars(length(min = 1, max = 100), regex(pattern = r"\S"))]
    pub name: String,
    #[schemars(with = "crate::codes::UnitKind")]
    pub kind: String,
    pub series: Option<String>,
}

/// A unit input that has passed validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewUnit {
    pub parent_id: Option<UnitId>,
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub series: String,
}

impl NewUnit {
    pub fn parse(input: &UnitInput) -> Result<NewUnit, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let code = normalize(&input.code).to_uppercase();
        if code.is_empty() {
            errs.push(FieldError::required("code"));
        } else if code.len() > 32
            || !code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            errs.push(FieldError::new(
                "code",
                "unit_code",
                "单位编码只能由字母、数字、“-”“_”组成，且不超过32位",
                "a unit code is up to 32 letters, digits, '-' or '_'",
            ));
        }
        let name = clean_name(&input.name);
        if name.is_empty() {
            errs.push(FieldError::required("name"));
        } else if name.chars().count() > 100 {
            errs.push(FieldError::new(
                "name",
                "too_long",
                "名称不能超过100个字",
                "name is longer than 100 characters",
            ));
        }
        let kind = errs.take(UnitKind::parse("kind", &input.kind));
        let series = input
            .series
            .as_deref()
            .map(clean_name)
            .filter(|s| !s.is_empty());
        errs.into_result(|| {
            let kind = kind.expect("checked");
            NewUnit {
                parent_id: input.parent_id,
                code,
                name,
                kind,
                series: series.unwrap_or_else(|| kind.zh().to_string()),
            }
        })
    }
}

/// An industry chain (产业链) and its chain leader (链长).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chain {
    pub id: ChainId,
    pub code: String,
    pub name: String,
    pub leader: String,
}

/// The unit tree in memory: parent links checked for cycles, subtree queries.
#[derive(Debug, Clone, Default)]
pub struct UnitTree {
    parent: HashMap<UnitId, Option<UnitId>>,
    children: HashMap<UnitId, Vec<UnitId>>,
}

impl UnitTree {
    /// Build from (id, parent) pairs. Fails when a parent is unknown or a cycle exists.
    pub fn build(
        links: impl IntoIterator<Item = (UnitId, Option<UnitId>)>,
    ) -> Result<UnitTree, FieldError> {
        let mut t = UnitTree::default();
        for (id, p) in links {
            t.parent.insert(id, p);
            t.children.entry(id).or_default();
        }
        for (&id, &p) in &t.parent {
            if let Some(p) = p {
                if !t.parent.contains_key(&p) {
                    return Err(FieldError::new(
                        "parent_id",
                        "unknown_parent",
                        format!("上级单位 {p} 不存在"),
                        format!("parent unit {p} does not exist"),
                    ));
                }
                t.children.entry(p).or_default().push(id);
            }
        }
        for ch in t.children.values_mut() {
            ch.sort_unstable();
        }
        for &id in t.parent.keys() {
            t.check_no_cycle(id)?;
        }
        Ok(t)
    }

    fn check_no_cycle(&self, start: UnitId) -> Result<(), FieldError> {
        let mut cur = self.parent.get(&start).copied().flatten();
        let mut steps = 0usize;
        while let Some(c) = cur {
            steps += 1;
            if c == start || steps > self.parent.len() {
                return Err(FieldError::new(
                    "parent_id",
                    "cycle",
                    "上级单位不能是本单位或其下级单位",
                    "a unit cannot be placed under itself or one of its sub-units",
                ));
            }
            cur = self.parent.get(&c).copied().flatten();
        }
        Ok(())
    }

    /// Would moving `unit` under `new_parent` keep the tree a tree?
    pub fn check_move(&self, unit: UnitId, new_parent: Option<UnitId>) -> Result<(), FieldError> {
        let mut t = self.clone();
        t.parent.insert(unit, new_parent);
        t.check_no_cycle(unit)
    }

    pub fn contains(&self, id: UnitId) -> bool {
        self.parent.contains_key(&id)
    }
    pub fn parent(&self, id: UnitId) -> Option<UnitId> {
        self.parent.get(&id).copied().flatten()
    }
    pub fn children(&self, id: UnitId) -> &[UnitId] {
        self.children.get(&id).map(Vec::as_slice).unwrap_or(&[])
    }
    pub fn roots(&self) -> Vec<UnitId> {
        let mut r: Vec<_> = self
            .parent
            .iter()
            .filter(|(_, p)| p.is_none())
            .map(|(&id, _)| id)
            .collect();
        r.sort_unstable();
        r
    }
    /// The unit and all units below it (本单位及以下), in depth-first order.
    pub fn subtree(&self, root: UnitId) -> Vec<UnitId> {
        let mut out = Vec::new();
        if !self.contains(root) {
            return out;
        }
        let mut stack = vec![root];
        while let Some(u) = stack.pop() {
            out.push(u);
            stack.extend(self.children(u).iter().rev());
        }
        out
    }
    /// The root above a unit: its organisation (an instance may hold several
    /// independent organisations, each a tree of its own).
    /// How many parents a unit has (a root: 0).
    pub fn depth(&self, id: UnitId) -> usize {
        let mut d = 0;
        let mut at = id;
        while let Some(p) = self.parent(at) {
            d += 1;
            at = p;
            if d > self.len() {
                break;
            }
        }
        d
    }

    pub fn root_of(&self, id: UnitId) -> UnitId {
        let mut cur = id;
        for _ in 0..=self.parent.len() {
            match self.parent(cur) {
                Some(p) => cur = p,
                None => break,
            }
        }
        cur
    }
    /// Is `id` equal to `ancestor` or below it?
    pub fn is_within(&self, id: UnitId, ancestor: UnitId) -> bool {
        let mut cur = Some(id);
        while let Some(c) = cur {
            if c == ancestor {
                return true;
            }
            cur = self.parent(c);
        }
        false
    }
    pub fn len(&self) -> usize {
        self.parent.len()
    }
    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rejects_cycles_and_unknown_parents() {
        assert_eq!(
            UnitTree::build([(1, None), (2, Some(3)), (3, Some(2))])
                .unwrap_err()
                .code,
            "cycle"
        );
        assert_eq!(
            UnitTree::build([(1, Some(9))]).unwrap_err().code,
            "unknown_parent"
        );
        let t = UnitTree::build([(1, None), (2, Some(1)), (3, Some(2)), (4, Some(1))]).unwrap();
        assert_eq!(t.subtree(1), vec![1, 2, 3, 4]);
        assert_eq!(t.subtree(2), vec![2, 3]);
        assert!(t.check_move(1, Some(3)).is_err());
        assert!(t.check_move(4, Some(3)).is_ok());
        assert!(t.is_within(3, 1) && !t.is_within(4, 2));
    }

    #[test]
    fn unit_input_errors_name_fields() {
        let e = NewUnit::parse(&UnitInput {
            code: "a b".into(),
            name: "".into(),
            kind: "x".into(),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(e.fields(), vec!["code", "name", "kind"]);
        let u = NewUnit::parse(&UnitInput {
            code: " d1 ".into(),
            name: "第一师 阿拉尔市".into(),
            kind: "师市".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            (u.code.as_str(), u.kind, u.series.as_str()),
            ("D1", UnitKind::Division, "师市")
        );
    }

    proptest! {
        /// Any random forest (parents always earlier) is accepted, and subtrees partition correctly.
        #[test]
        fn subtree_sizes_add_up(parents in proptest::collection::vec(proptest::option::of(0usize..1000), 1..60)) {
            let links: Vec<(i64, Option<i64>)> = parents.iter().enumerate()
                .map(|(i, p)| (i as i64, p.filter(|_| i > 0).map(|p| (p % i.max(1)) as i64)))
                .collect();
            let t = UnitTree::build(links.clone()).unwrap();
            for &(id, _) in &links {
                let own = t.subtree(id).len();
                let kids: usize = t.children(id).iter().map(|&c| t.subtree(c).len()).sum();
                prop_assert_eq!(own, kids + 1);
            }
            let total: usize = t.roots().iter().map(|&r| t.subtree(r).len()).sum();
            prop_assert_eq!(total, links.len());
        }
    }
}
