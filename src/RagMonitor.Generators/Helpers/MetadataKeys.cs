using System.Text;

namespace RagMonitor.Generators.Helpers;

/// <summary>Derives metadata keys from parameter names.</summary>
internal static class MetadataKeys
{
    /// <summary>
    /// The snake_case form of an identifier: <c>topK</c> → <c>top_k</c>, <c>maxDocuments</c> →
    /// <c>max_documents</c>, <c>HTTPStatus</c> → <c>http_status</c>, <c>userId2</c> → <c>user_id2</c>,
    /// <c>documentIDs</c> → <c>document_ids</c>, <c>@class</c> → <c>class</c>. Existing underscores are kept
    /// (collapsed, trimmed at the ends).
    /// </summary>
    public static string ToSnakeCase(string identifier)
    {
        var name = identifier.TrimStart('@');
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c == '_' || c == '-' || c == ' ')
            {
                AppendSeparator(builder);
                continue;
            }

            if (char.IsUpper(c))
            {
                var previous = i > 0 ? name[i - 1] : '\0';
                var next = i + 1 < name.Length ? name[i + 1] : '\0';
                var afterNext = i + 2 < name.Length ? name[i + 2] : '\0';

                // An acronym ends before a capital that starts a lower-case word ("HTTPStatus" → http_status),
                // but a plural acronym keeps its 's' ("documentIDs" → document_ids).
                var pluralAcronym = next == 's' && !char.IsLower(afterNext);
                var startsWord = i > 0
                    && (char.IsLower(previous) || char.IsDigit(previous) || (char.IsUpper(previous) && char.IsLower(next) && !pluralAcronym));
                if (startsWord)
                {
                    AppendSeparator(builder);
                }

                builder.Append(char.ToLowerInvariant(c));
                continue;
            }

            builder.Append(c);
        }

        while (builder.Length > 0 && builder[builder.Length - 1] == '_')
        {
            builder.Length--;
        }

        return builder.ToString();
    }

    private static void AppendSeparator(StringBuilder builder)
    {
        if (builder.Length > 0 && builder[builder.Length - 1] != '_')
        {
            builder.Append('_');
        }
    }
}
