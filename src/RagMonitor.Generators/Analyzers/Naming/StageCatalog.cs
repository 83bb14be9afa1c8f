using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace RagMonitor.Generators.Analyzers.Naming;

/// <summary>
/// The stage names a project declares (RMON011): the union of <c>[assembly: StageCatalog(...)]</c>
/// and every <c>AdditionalFiles</c> item named <c>stages.txt</c> (one name per line, blank lines and
/// <c>#</c> comments ignored). <see langword="null"/> from <see cref="Read"/> means no catalog is declared.
/// </summary>
internal sealed class StageCatalog
{
    /// <summary>The file name recognised among the additional files (case-insensitive).</summary>
    public const string FileName = "stages.txt";

    private readonly HashSet<string> _names;

    public StageCatalog(ImmutableArray<string> entries)
    {
        Entries = entries;
        _names = new HashSet<string>(entries, StringComparer.Ordinal);
    }

    /// <summary>The declared names, in declaration order (attribute first, then files), without duplicates.</summary>
    public ImmutableArray<string> Entries { get; }

    /// <summary>Whether the name is declared (exact, case-sensitive match).</summary>
    public bool Contains(string name) => _names.Contains(name);

    /// <summary>
    /// The entry closest to <paramref name="name"/>: smallest distance between keys (case and separators
    /// ignored), then smallest distance between the names as written, then first declared.
    /// </summary>
    public string? Closest(string name, EditDistance distance)
    {
        var key = StageNameText.Key(name);
        string? best = null;
        var bestKeyDistance = int.MaxValue;
        var bestDistance = int.MaxValue;
        foreach (var entry in Entries)
        {
            var keyDistance = distance.Compute(key, StageNameText.Key(entry));
            if (keyDistance > bestKeyDistance)
            {
                continue;
            }

            var textDistance = distance.Compute(name, entry);
            if (keyDistance < bestKeyDistance || textDistance < bestDistance)
            {
                best = entry;
                bestKeyDistance = keyDistance;
                bestDistance = textDistance;
            }
        }

        return best;
    }

    /// <summary>Reads the catalog of a compilation, or returns <see langword="null"/> when none is declared.</summary>
    public static StageCatalog? Read(
        Compilation compilation,
        INamedTypeSymbol? catalogAttribute,
        ImmutableArray<AdditionalText> additionalFiles,
        System.Threading.CancellationToken cancellationToken)
    {
        var declared = false;
        var entries = ImmutableArray.CreateBuilder<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);

        if (catalogAttribute is not null)
        {
            foreach (var attribute in compilation.Assembly.GetAttributes())
            {
                if (!SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, catalogAttribute))
                {
                    continue;
                }

                declared = true;
                foreach (var argument in attribute.ConstructorArguments)
                {
                    if (argument.Kind == TypedConstantKind.Array)
                    {
                        foreach (var item in argument.Values)
                        {
                            Add(item.Value as string);
                        }
                    }
                    else
                    {
                        Add(argument.Value as string);
                    }
                }
            }
        }

        foreach (var file in additionalFiles)
        {
            if (!string.Equals(Path.GetFileName(file.Path), FileName, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            SourceText? text = file.GetText(cancellationToken);
            if (text is null)
            {
                continue;
            }

            declared = true;
            foreach (var line in text.Lines)
            {
                Add(ParseLine(line.ToString()));
            }
        }

        return declared ? new StageCatalog(entries.ToImmutable()) : null;

        void Add(string? name)
        {
            if (!string.IsNullOrWhiteSpace(name) && seen.Add(name!))
            {
                entries.Add(name!);
            }
        }
    }

    /// <summary>The name on one line of <c>stages.txt</c>, or <see langword="null"/> for a blank or comment line.</summary>
    internal static string? ParseLine(string line)
    {
        var comment = line.IndexOf('#');
        var name = (comment >= 0 ? line.Substring(0, comment) : line).Trim();
        return name.Length == 0 ? null : name;
    }
}
