using System;
using RagMonitor.Generators.Analyzers.Naming;

namespace RagMonitor.Generators.Tests.Naming;

public sealed class StageNameTextTests
{
    [Theory]
    [InlineData("retrieval", "retrieval")]
    [InlineData("Retrieval", "retrieval")]
    [InlineData("re-trieval", "retrieval")]
    [InlineData("re_trieval", "retrieval")]
    [InlineData("RE TRIEVAL", "retrieval")]
    [InlineData("rerank.v2", "rerankv2")]
    public void Key_ignores_case_and_separators(string name, string key) => Assert.Equal(key, StageNameText.Key(name));

    [Theory]
    [InlineData("retrieval", "retrieval")]
    [InlineData("query_rewrite", "query|rewrite")]
    [InlineData("query-rewrite", "query|rewrite")]
    [InlineData("queryRewrite", "query|Rewrite")]
    [InlineData("QueryRewrite", "Query|Rewrite")]
    [InlineData("fetchHTMLDocs", "fetch|HTML|Docs")]
    [InlineData("gpt4Call", "gpt4|Call")]
    [InlineData("rerank_v2", "rerank|v2")]
    [InlineData("__odd__name__", "odd|name")]
    [InlineData("LLM", "LLM")]
    public void Words(string name, string words) => Assert.Equal(words, string.Join("|", StageNameText.Words(name)));

    [Theory]
    [InlineData("snake_case", "SnakeCase")]
    [InlineData("Snake-Case", "SnakeCase")]
    [InlineData("kebab-case", "KebabCase")]
    [InlineData("kebab_case", "KebabCase")]
    [InlineData("camelCase", "CamelCase")]
    [InlineData("PascalCase", "PascalCase")]
    [InlineData("any", "Any")]
    [InlineData("none", "Any")]
    [InlineData("shouting", "SnakeCase")]
    [InlineData(null, "SnakeCase")]
    public void Style_option_values(string? value, string style) => Assert.Equal(Enum.Parse<StageNameStyle>(style), StageNameStyles.Parse(value));

    [Theory]
    [InlineData("Retrieval", "SnakeCase", "retrieval")]
    [InlineData("queryRewrite", "SnakeCase", "query_rewrite")]
    [InlineData("Query-Rewrite", "SnakeCase", "query_rewrite")]
    [InlineData("fetchHTMLDocs", "SnakeCase", "fetch_html_docs")]
    [InlineData("rerank v2", "SnakeCase", "rerank_v2")]
    [InlineData("query_rewrite", "KebabCase", "query-rewrite")]
    [InlineData("QueryRewrite", "KebabCase", "query-rewrite")]
    [InlineData("query_rewrite", "CamelCase", "queryRewrite")]
    [InlineData("QUERY_REWRITE", "CamelCase", "queryRewrite")]
    [InlineData("fetchHTMLDocs", "CamelCase", "fetchHtmlDocs")]
    [InlineData("query-rewrite", "PascalCase", "QueryRewrite")]
    [InlineData("gpt4_call", "PascalCase", "Gpt4Call")]
    [InlineData("Whatever-Goes", "Any", "Whatever-Goes")]
    public void Style_conversion(string name, string styleName, string expected)
    {
        var style = Enum.Parse<StageNameStyle>(styleName);
        var converted = StageNameStyles.Convert(name, style);
        Assert.Equal(expected, converted);
        Assert.True(StageNameStyles.Follows(converted, style));
        Assert.Equal(converted, StageNameStyles.Convert(converted, style));
    }

    [Theory]
    [InlineData("retrieval", "SnakeCase", true)]
    [InlineData("query_rewrite", "SnakeCase", true)]
    [InlineData("rerank_v2", "SnakeCase", true)]
    [InlineData("Retrieval", "SnakeCase", false)]
    [InlineData("query-rewrite", "SnakeCase", false)]
    [InlineData("query__rewrite", "SnakeCase", false)]
    [InlineData("query-rewrite", "KebabCase", true)]
    [InlineData("query_rewrite", "KebabCase", false)]
    [InlineData("queryRewrite", "CamelCase", true)]
    [InlineData("QueryRewrite", "CamelCase", false)]
    [InlineData("QueryRewrite", "PascalCase", true)]
    [InlineData("queryRewrite", "PascalCase", false)]
    [InlineData("Query Rewrite!", "Any", true)]
    public void Style_check(string name, string style, bool follows) => Assert.Equal(follows, StageNameStyles.Follows(name, Enum.Parse<StageNameStyle>(style)));

    [Theory]
    [InlineData("retrieval", "retrieval")]
    [InlineData("  grading  ", "grading")]
    [InlineData("generation # the LLM call", "generation")]
    [InlineData("# a comment", null)]
    [InlineData("   ", null)]
    [InlineData("", null)]
    public void Catalog_file_lines(string line, string? name) => Assert.Equal(name, StageCatalog.ParseLine(line));
}
