using System;
using System.Collections.Generic;
using System.Text;

namespace RagMonitor.Generators.Analyzers.Naming;

/// <summary>The stage naming styles that <c>ragmonitor.stage_name_style</c> can select.</summary>
internal enum StageNameStyle
{
    /// <summary><c>snake_case</c> (the default).</summary>
    SnakeCase,

    /// <summary><c>kebab-case</c>.</summary>
    KebabCase,

    /// <summary><c>camelCase</c>.</summary>
    CamelCase,

    /// <summary><c>PascalCase</c>.</summary>
    PascalCase,

    /// <summary>No style is enforced.</summary>
    Any,
}

/// <summary>Parses, checks and applies <see cref="StageNameStyle"/>.</summary>
internal static class StageNameStyles
{
    /// <summary>The <c>.editorconfig</c> / global analyzer config key.</summary>
    public const string OptionKey = "ragmonitor.stage_name_style";

    /// <summary>
    /// Reads an option value. Case, <c>-</c> and <c>_</c> are ignored (<c>snake_case</c>, <c>snake-case</c>,
    /// <c>SnakeCase</c> are the same); <c>any</c> and <c>none</c> turn the check off. A missing or unknown
    /// value gives the default, <see cref="StageNameStyle.SnakeCase"/>.
    /// </summary>
    public static StageNameStyle Parse(string? value)
    {
        if (value is null)
        {
            return StageNameStyle.SnakeCase;
        }

        switch (StageNameText.Key(value))
        {
            case "kebabcase":
                return StageNameStyle.KebabCase;
            case "camelcase":
                return StageNameStyle.CamelCase;
            case "pascalcase":
                return StageNameStyle.PascalCase;
            case "any":
            case "none":
                return StageNameStyle.Any;
            default:
                return StageNameStyle.SnakeCase;
        }
    }

    /// <summary>The style's name as users write it (<c>snake_case</c>).</summary>
    public static string DisplayName(StageNameStyle style) => style switch
    {
        StageNameStyle.KebabCase => "kebab-case",
        StageNameStyle.CamelCase => "camelCase",
        StageNameStyle.PascalCase => "PascalCase",
        StageNameStyle.Any => "any",
        _ => "snake_case",
    };

    /// <summary>
    /// Converts a name to the style. A name follows the style exactly when conversion leaves it
    /// unchanged (<see cref="Follows"/>), so the check and the suggested fix can never disagree.
    /// </summary>
    public static string Convert(string name, StageNameStyle style)
    {
        if (style == StageNameStyle.Any)
        {
            return name;
        }

        List<string> words = StageNameText.Words(name);
        var builder = new StringBuilder(name.Length);
        for (var i = 0; i < words.Count; i++)
        {
            var word = words[i];
            switch (style)
            {
                case StageNameStyle.SnakeCase:
                case StageNameStyle.KebabCase:
                    if (i > 0)
                    {
                        builder.Append(style == StageNameStyle.SnakeCase ? '_' : '-');
                    }

                    builder.Append(word.ToLowerInvariant());
                    break;
                case StageNameStyle.CamelCase when i == 0:
                    builder.Append(word.ToLowerInvariant());
                    break;
                default:
                    builder.Append(char.ToUpperInvariant(word[0]));
                    builder.Append(word.Substring(1).ToLowerInvariant());
                    break;
            }
        }

        return builder.ToString();
    }

    /// <summary>Whether the name follows the style.</summary>
    public static bool Follows(string name, StageNameStyle style) =>
        style == StageNameStyle.Any || string.Equals(Convert(name, style), name, StringComparison.Ordinal);
}
