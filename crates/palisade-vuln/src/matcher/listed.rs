//! An entry's explicit `versions` list, and finding a version in it.

use std::cmp::Ordering;
use std::sync::OnceLock;

use super::{idx32, Texts};
use crate::store::VersionItems;
use crate::versions::{Scheme, Version};

/// An entry's explicit `versions` list: the versions in one buffer, with
/// the span of each and its index in the list as written, in the stored
/// order (see `store::write::encode_versions`): the first `sorted` sorted
/// by the scheme `sorted_by`, then the rest in the order written.
#[derive(Debug)]
pub(super) struct Listed {
    texts: Texts,
    items: Vec<(u32, (u32, u32))>,
    sorted: usize,
    pub(super) sorted_by: Option<Scheme>,
    /// The lowest and highest of the sorted versions, parsed on first need
    /// (`None` when there are none or one no longer parses).
    bounds: OnceLock<Option<(Version, Version)>>,
}

impl Listed {
    /// From a list as stored, for an entry of `ecosystem`.
    pub(super) fn from_stored(stored: VersionItems<'_>, ecosystem: &str) -> Listed {
        let sorted_by = if stored.sorted {
            Scheme::for_ecosystem(ecosystem)
        } else {
            None
        };
        Listed::new(stored.items.into_iter(), stored.readable, sorted_by)
    }

    /// From a decoded list, in the order written.
    pub(super) fn from_list(list: &[String]) -> Listed {
        Listed::new(list.iter().map(String::as_str).enumerate(), 0, None)
    }

    fn new<'a>(
        items: impl Iterator<Item = (usize, &'a str)>,
        sorted: usize,
        sorted_by: Option<Scheme>,
    ) -> Listed {
        let mut texts = Texts::default();
        let items = items.map(|(i, l)| (idx32(i), texts.push(l))).collect();
        Listed {
            texts,
            items,
            sorted,
            sorted_by,
            bounds: OnceLock::new(),
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The text of the item at `at` (in the stored order).
    pub(super) fn text(&self, at: usize) -> &str {
        self.items
            .get(at)
            .map_or("", |&(_, span)| self.texts.get(span))
    }

    /// The index as written of the item at `at`.
    pub(super) fn index(&self, at: usize) -> u32 {
        self.items.get(at).map_or(u32::MAX, |&(i, _)| i)
    }

    /// With a list stored sorted by `scheme`: the item (position in the
    /// stored order) of the first version listed (in the order written)
    /// equal to `v`, found by binary search, parsing only the versions it
    /// probes. `Err` when a sorted version no longer parses (then the
    /// caller parses the whole list).
    pub(super) fn find_sorted(&self, scheme: Scheme, v: &Version) -> Result<Option<usize>, ()> {
        let cmp = |at: usize| -> Result<Ordering, ()> {
            let p = scheme.parse(self.text(at)).map_err(|_| ())?;
            p.compare(v).ok_or(())
        };
        let (mut lo, mut hi) = (0, self.sorted.min(self.items.len()));
        let end = hi;
        // Most versions fall outside the listed ones: two comparisons with
        // the bounds, parsed once, settle those without a search.
        let bounds = self.bounds.get_or_init(|| {
            let first = scheme.parse(self.text(0)).ok()?;
            let last = scheme.parse(self.text(end.checked_sub(1)?)).ok()?;
            Some((first, last))
        });
        if end > 0 {
            let (first, last) = bounds.as_ref().ok_or(())?;
            if v.compare(first) == Some(Ordering::Less)
                || v.compare(last) == Some(Ordering::Greater)
            {
                lo = end;
                hi = end;
            }
        }
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if cmp(mid)? == Ordering::Less {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let mut best: Option<usize> = None;
        let mut at = lo;
        while at < end && cmp(at)? == Ordering::Equal {
            if best.is_none_or(|b| self.index(at) < self.index(b)) {
                best = Some(at);
            }
            at += 1;
        }
        for at in end..self.items.len() {
            if self.text(at) == v.as_str() && best.is_none_or(|b| self.index(at) < self.index(b)) {
                best = Some(at);
            }
        }
        Ok(best)
    }
}

/// An entry's `versions` list parsed with one scheme, for finding the first
/// listed version equal to a package's.
#[derive(Debug)]
pub(super) struct ListedVersions {
    /// The items of the list (positions in the stored order), in the order written.
    order: Vec<usize>,
    /// In the order written (`None` where the scheme refuses a version: it
    /// then matches by string equality).
    parsed: Vec<Option<Version>>,
    /// Indices of the parsed ones, sorted by version then index; `None`
    /// for schemes whose order is not transitive (Maven), searched in order.
    sorted: Option<Vec<u32>>,
    /// Indices of the refused ones.
    unparsed: Vec<u32>,
}

impl ListedVersions {
    pub(super) fn new(listed: &Listed, scheme: Scheme) -> ListedVersions {
        // In the order written.
        let mut order: Vec<usize> = (0..listed.items.len()).collect();
        order.sort_by_key(|&at| listed.index(at));
        let n = order.len();
        let parsed: Vec<Option<Version>> = order
            .iter()
            .map(|&at| scheme.parse(listed.text(at)).ok())
            .collect();
        let unparsed = (0..n).filter(|&i| parsed[i].is_none()).map(idx32).collect();
        let sorted = (scheme != Scheme::Maven)
            .then(|| {
                let mut s: Vec<u32> = (0..n).filter(|&i| parsed[i].is_some()).map(idx32).collect();
                // Stable: equal versions keep the order written. Not in
                // order (no total order): searched in order instead.
                let ordered = crate::versions::sort_versions(&mut s, |&a, &b| {
                    match (&parsed[a as usize], &parsed[b as usize]) {
                        (Some(x), Some(y)) => x.compare(y).unwrap_or(Ordering::Equal),
                        _ => Ordering::Equal,
                    }
                });
                ordered.then_some(s)
            })
            .flatten();
        ListedVersions {
            order,
            parsed,
            sorted,
            unparsed,
        }
    }

    /// The item (position in the stored order) of the first version
    /// listed (in the order written) equal to `v`: by version where the
    /// scheme reads it, else by text.
    pub(super) fn find(&self, listed: &Listed, v: &Version) -> Option<usize> {
        let cmp = |i: u32| {
            self.parsed
                .get(i as usize)
                .and_then(Option::as_ref)
                .and_then(|p| p.compare(v))
        };
        let by_version = match &self.sorted {
            Some(sorted) => {
                let at = sorted.partition_point(|&i| cmp(i) == Some(Ordering::Less));
                sorted
                    .get(at)
                    .copied()
                    .filter(|&i| cmp(i) == Some(Ordering::Equal))
            }
            None => (0..self.parsed.len())
                .map(idx32)
                .find(|&i| cmp(i) == Some(Ordering::Equal)),
        };
        let by_text = self
            .unparsed
            .iter()
            .copied()
            .find(|&i| listed.text(self.order[i as usize]) == v.as_str());
        let first = match (by_version, by_text) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => a.or(b)?,
        };
        self.order.get(first as usize).copied()
    }
}
