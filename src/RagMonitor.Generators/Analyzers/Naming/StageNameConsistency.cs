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

        var byLength = new List<NameGroup>(groups);
        byLength.Sort((x, y) => x.Key.Length != y.Key.Length ? x.Key.Length.CompareTo(y.Key.Length) : x.FirstOrder.CompareTo(y.FirstOrder));
        var distance = new EditDistance();
        var targets = new Dictionary<NameGroup, (NameGroup Target, int Distance)>();

        for (var i = 0; i < byLength.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var shorter = byLength[i];
            var allowed = TypoRule.AllowedDistance(shorter.Key.Length);
            if (allowed == 0)
            {
                continue;
            }

            for (var j = i + 1; j < byLength.Count && byLength[j].Key.Length - shorter.Key.Length <= allowed; j++)
            {
                var longer = byLength[j];
                if (!string.Equals(shorter.Digits, longer.Digits, StringComparison.Ordinal))
                {
                    continue;
                }

                var pairDistance = distance.Compute(shorter.Key, longer.Key, allowed);
                if (pairDistance > allowed
                    || !TypoRule.IsProbableTypo(shorter.Canonical.Name, shorter.Key, longer.Canonical.Name, longer.Key, distance))
                {
                    continue;
                }

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
            Digits = StageNameText.Digits(key);
        }

        public string Key { get; }

        public string Digits { get; }

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
