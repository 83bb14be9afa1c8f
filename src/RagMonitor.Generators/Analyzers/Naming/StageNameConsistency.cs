using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using RagMonitor.Generators.Diagnostics;

namespace RagMonitor.Generators.Analyzers.Naming;

/// <summary>
/// The compilation-wide naming rules, run once at the end of a compilation over every stage name
/// site: RMON009 (names that differ only in case or separators) and RMON010 (probable typos).
/// </summary>
internal static class StageNameConsistency
{
    /// <summary>Reports RMON009 and RMON010 for <paramref name="sites"/>, which must be in source order.</summary>
    public static void Report(
        IReadOnlyList<StageNameSite> sites,
        StageCatalog? catalog,
        Action<Diagnostic> report,
        CancellationToken cancellationToken)
    {
        var groups = Group(sites);
        ReportVariants(groups, report);
        cancellationToken.ThrowIfCancellationRequested();
        ReportTypos(groups, catalog, report, cancellationToken);
    }

    private static List<NameGroup> Group(IReadOnlyList<StageNameSite> sites)
    {
        var byKey = new Dictionary<string, NameGroup>(StringComparer.Ordinal);
        var groups = new List<NameGroup>();
        for (var order = 0; order < sites.Count; order++)
        {
            var site = sites[order];
            var key = StageNameText.Key(site.Name);
            if (key.Length == 0)
            {
                continue;
            }

            if (!byKey.TryGetValue(key, out var group))
            {
                group = new NameGroup(key, order);
                byKey.Add(key, group);
                groups.Add(group);
            }

            group.Add(site, order);
        }

        foreach (var group in groups)
        {
            group.ChooseCanonical();
        }

        return groups;
    }

    private static void ReportVariants(List<NameGroup> groups, Action<Diagnostic> report)
    {
        foreach (var group in groups)
        {
            if (group.Spellings.Count < 2)
            {
                continue;
            }

            var canonical = group.Canonical.Name;
            var properties = Replacement(canonical);
            foreach (var spelling in group.Spellings)
            {
                if (ReferenceEquals(spelling, group.Canonical))
                {
                    continue;
                }

                foreach (var site in spelling.Sites)
                {
                    report(Diagnostic.Create(DiagnosticDescriptors.CaseOrSeparatorVariant, site.Location, properties, site.Name, canonical));
                }
            }
        }
    }

    private static void ReportTypos(List<NameGroup> groups, StageCatalog? catalog, Action<Diagnostic> report, CancellationToken cancellationToken)
    {
        if (groups.Count < 2)
        {
            return;
        }

        var distance = new EditDistance();
        var targets = new Dictionary<NameGroup, (NameGroup Target, int Distance)>();
        foreach (var (first, second) in CandidatePairs(groups, cancellationToken))
        {
            var shorter = first.Key.Length <= second.Key.Length ? first : second;
            var longer = ReferenceEquals(shorter, first) ? second : first;
            if (!TypoRule.IsProbableTypo(shorter.Form, longer.Form, distance))
            {
                continue;
            }

            var pairDistance = distance.Compute(shorter.Key, longer.Key);

            var (loser, winner) = Beats(shorter, longer) ? (longer, shorter) : (shorter, longer);
            if (catalog is not null && catalog.Contains(loser.Canonical.Name))
            {
                // Both spellings were declared on purpose.
                continue;
            }

            if (!targets.TryGetValue(loser, out var current) || IsBetterTarget(winner, pairDistance, current.Target, current.Distance))
            {
                targets[loser] = (winner, pairDistance);
            }
        }

        foreach (var group in groups)
        {
            if (!targets.TryGetValue(group, out var target))
            {
                continue;
            }

            var suggestion = target.Target.Canonical.Name;
            var properties = Replacement(suggestion);
            foreach (var spelling in group.Spellings)
            {
                foreach (var site in spelling.Sites)
                {
                    report(Diagnostic.Create(DiagnosticDescriptors.ProbableTypo, site.Location, properties, site.Name, suggestion));
                }
            }
        }
    }

    /// <summary>
    /// Every pair of keys within edit distance 2 of each other, and some more, without comparing all
    /// pairs: two keys at optimal-string-alignment distance d share a string obtained from each by at
    /// most d deletions (a substitution or a transposition is one deletion on each side). Each key's
    /// deletion variants (up to 2 deletions; 1 for keys of 4–5 characters, whose allowed distance is 1;
    /// none below 4, which are never typos) are hashed without building strings, the (hash, key) pairs
    /// sorted, and only keys sharing a hash are compared. A hash collision only adds a candidate that
    /// the exact check then rejects. Near-linear in the number of names instead of quadratic.
    /// Names whose digits differ are never typos (<see cref="TypoRule"/>), so every hash starts from a hash of
    /// the key's digits: numbered names (<c>stage_001_1</c> … <c>stage_199_9</c>, whose deletion variants
    /// mostly coincide) are never paired at all (issue 14: 2,000 such names made two million pairs).
    /// </summary>
    private static IEnumerable<(NameGroup First, NameGroup Second)> CandidatePairs(List<NameGroup> groups, CancellationToken cancellationToken)
    {
        var capacity = 0;
        foreach (var group in groups)
        {
            var length = group.Key.Length;
            capacity += TypoRule.AllowedDistance(length) switch { 0 => 0, 1 => 1 + length, _ => 1 + length + (length * (length - 1) / 2) };
        }

        var hashes = new long[capacity];
        var owners = new int[capacity];
        var count = 0;
        for (var index = 0; index < groups.Count; index++)
        {
            var key = groups[index].Key;
            var deletions = TypoRule.AllowedDistance(key.Length);
            if (deletions == 0)
            {
                continue;
            }

            var seed = DigitsHash(groups[index].Form.Digits);
            Add(VariantHash(seed, key, -1, -1), index);
            for (var first = 0; first < key.Length; first++)
            {
                Add(VariantHash(seed, key, first, -1), index);
                if (deletions < 2)
                {
                    continue;
                }

                for (var second = first + 1; second < key.Length; second++)
                {
                    Add(VariantHash(seed, key, first, second), index);
                }
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        Array.Sort(hashes, owners, 0, count);
        var seen = new HashSet<long>();
        for (var start = 0; start < count;)
        {
            var end = start + 1;
            while (end < count && hashes[end] == hashes[start])
            {
                end++;
            }

            for (var i = start; i < end; i++)
            {
                for (var j = i + 1; j < end; j++)
                {
                    var a = owners[i];
                    var b = owners[j];
                    if (a != b && seen.Add(((long)Math.Min(a, b) * groups.Count) + Math.Max(a, b)))
                    {
                        yield return (groups[a], groups[b]);
                    }
                }
            }

            start = end;
        }

        void Add(long hash, int owner)
        {
            hashes[count] = hash;
            owners[count] = owner;
            count++;
        }
    }

    // FNV-1a over a name's digits: the starting value of its variants' hashes.
    private static long DigitsHash(string digits)
    {
        var hash = unchecked((long)14695981039346656037UL);
        foreach (var digit in digits)
        {
            hash = unchecked((hash ^ digit) * 1099511628211L);
        }

        return unchecked((hash ^ '|') * 1099511628211L);
    }

    // FNV-1a, continued from seed, over the key without the characters at positions skipFirst and skipSecond (-1: none).
    private static long VariantHash(long seed, string key, int skipFirst, int skipSecond)
    {
        var hash = seed;
        for (var i = 0; i < key.Length; i++)
        {
            if (i == skipFirst || i == skipSecond)
            {
                continue;
            }

            hash = unchecked((hash ^ key[i]) * 1099511628211L);
        }

        return hash;
    }

    /// <summary>The more used name wins; on a tie, the one written first.</summary>
    private static bool Beats(NameGroup x, NameGroup y) =>
        x.Count != y.Count ? x.Count > y.Count : x.FirstOrder < y.FirstOrder;

    private static bool IsBetterTarget(NameGroup candidate, int candidateDistance, NameGroup current, int currentDistance)
    {
        if (candidateDistance != currentDistance)
        {
            return candidateDistance < currentDistance;
        }

        return Beats(candidate, current);
    }

    private static ImmutableDictionary<string, string?> Replacement(string name) =>
        ImmutableDictionary<string, string?>.Empty.Add(StageNameProperties.Replacement, name);

    /// <summary>Every spelling of one key.</summary>
    private sealed class NameGroup
    {
        public NameGroup(string key, int firstOrder)
        {
            Key = key;
            FirstOrder = firstOrder;
        }

        public string Key { get; }

        /// <summary>The canonical spelling's forms, for the typo rule.</summary>
        public NameForm Form { get; private set; } = null!;

        public int FirstOrder { get; }

        public int Count { get; private set; }

        public List<Spelling> Spellings { get; } = new();

        public Spelling Canonical { get; private set; } = null!;

        public void Add(StageNameSite site, int order)
        {
            Count++;
            foreach (var spelling in Spellings)
            {
                if (string.Equals(spelling.Name, site.Name, StringComparison.Ordinal))
                {
                    spelling.Add(site);
                    return;
                }
            }

            var added = new Spelling(site.Name, order);
            added.Add(site);
            Spellings.Add(added);
        }

        /// <summary>
        /// The canonical spelling: one the project's own rules accept (catalog, style) if there is one,
        /// then the most used, then the first written.
        /// </summary>
        public void ChooseCanonical()
        {
            var best = Spellings[0];
            for (var i = 1; i < Spellings.Count; i++)
            {
                var candidate = Spellings[i];
                if (candidate.Allowed != best.Allowed)
                {
                    if (candidate.Allowed)
                    {
                        best = candidate;
                    }
                }
                else if (candidate.Count > best.Count)
                {
                    best = candidate;
                }
            }

            Canonical = best;
            Form = new NameForm(best.Name);
        }
    }

    /// <summary>One exact spelling and where it is written.</summary>
    private sealed class Spelling
    {
        public Spelling(string name, int firstOrder)
        {
            Name = name;
            FirstOrder = firstOrder;
        }

        public string Name { get; }

        public int FirstOrder { get; }

        public int Count => Sites.Count;

        public bool Allowed { get; private set; }

        public List<StageNameSite> Sites { get; } = new();

        public void Add(StageNameSite site)
        {
            Sites.Add(site);
            Allowed |= site.Allowed;
        }
    }
}
