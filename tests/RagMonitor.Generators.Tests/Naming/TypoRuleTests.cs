using RagMonitor.Generators.Analyzers.Naming;

namespace RagMonitor.Generators.Tests.Naming;

/// <summary>The RMON010 rule on plausible pipeline stage names (see <see cref="TypoRule"/> for the rule).</summary>
public sealed class TypoRuleTests
{
    [Theory]
    // transpositions, omissions, insertions, substitutions
    [InlineData("retrieval", "retreival")]
    [InlineData("retrieval", "retrival")]
    [InlineData("retrieval", "retrievel")]
    [InlineData("generation", "genration")]
    [InlineData("generation", "generaton")]
    [InlineData("grading", "grdaing")]
    [InlineData("embedding", "embeding")]
    [InlineData("reranking", "reranknig")]
    [InlineData("reranker", "rerankr")]
    [InlineData("summarize", "summarise")]
    [InlineData("process", "proces")]
    [InlineData("chunk", "chunck")]
    [InlineData("parse", "prase")]
    [InlineData("rank", "rnak")]
    [InlineData("retrieval_stage", "retreival_stage")]
    [InlineData("query_rewrite", "query_rewirte")]
    [InlineData("generation", "generatoin")]
    [InlineData("Retrieval", "re-treival")]
    public void Reports_probable_typos(string a, string b)
    {
        var distance = new EditDistance();
        Assert.True(TypoRule.IsProbableTypo(a, b, distance), $"{a} / {b}");
        Assert.True(TypoRule.IsProbableTypo(b, a, distance), $"{b} / {a}");
    }

    [Theory]
    // a whole word segment, not a typo (issue 14): a short word and the same word behind one or two letters
    [InlineData("split_sync", "split_async")]
    [InlineData("a_task", "a_vtask")]
    [InlineData("sync", "async")]
    [InlineData("load_sync", "load_async")]
    // a meaningful word, not a typo: prefixes
    [InlineData("rerank", "rank")]
    [InlineData("search", "research")]
    [InlineData("encode", "decode")]
    [InlineData("index", "reindex")]
    [InlineData("process", "preprocess")]
    // word forms
    [InlineData("embed", "embedding")]
    [InlineData("embed", "embeds")]
    [InlineData("grade", "grading")]
    [InlineData("grade", "grader")]
    [InlineData("retrieve", "retrieval")]
    [InlineData("retrieve", "retriever")]
    [InlineData("retrieved", "retrieve")]
    [InlineData("chunk", "chunking")]
    [InlineData("chunk", "chunks")]
    [InlineData("chunk", "chunker")]
    [InlineData("rerank", "reranker")]
    [InlineData("rerank", "reranked")]
    [InlineData("parse", "parser")]
    [InlineData("parse", "parsed")]
    [InlineData("filter", "filters")]
    [InlineData("prompt", "prompts")]
    [InlineData("classify", "classifier")]
    [InlineData("classify", "classified")]
    [InlineData("generate", "generated")]
    [InlineData("generate", "generator")]
    [InlineData("generator", "generation")]
    [InlineData("generate", "generation")]
    [InlineData("compress", "compression")]
    [InlineData("query_rewrite", "query_rewriter")]
    [InlineData("load_doc", "load_docs")]
    // different short words inside a longer name
    [InlineData("get_docs", "set_docs")]
    [InlineData("top_k", "top_p")]
    [InlineData("pre_filter", "post_filter")]
    [InlineData("read_cache", "load_cache")]
    // a whole word added
    [InlineData("branch", "branch_a")]
    [InlineData("stage", "stage_b")]
    [InlineData("rank", "x_rank")]
    [InlineData("rerank", "rerankFast")]
    // numbered and versioned stages
    [InlineData("rerank_v1", "rerank_v2")]
    [InlineData("stage1", "stage2")]
    [InlineData("pass_1", "pass_10")]
    [InlineData("gpt4_call", "gpt5_call")]
    // short names are never typos
    [InlineData("llm", "lm")]
    [InlineData("ocr", "asr")]
    [InlineData("tts", "stt")]
    // too far apart
    [InlineData("retrieval", "generation")]
    [InlineData("rank", "bm25")]
    // same key: a case or separator variant (RMON009), not a typo
    [InlineData("re_trieval", "Retrieval")]
    public void Does_not_report_meaningful_differences(string a, string b)
    {
        var distance = new EditDistance();
        Assert.False(TypoRule.IsProbableTypo(a, b, distance), $"{a} / {b}");
        Assert.False(TypoRule.IsProbableTypo(b, a, distance), $"{b} / {a}");
    }

    [Theory]
    [InlineData(3, 0)]
    [InlineData(4, 1)]
    [InlineData(5, 1)]
    [InlineData(6, 2)]
    [InlineData(12, 2)]
    public void Allowed_distance_depends_on_the_shorter_name(int length, int allowed) =>
        Assert.Equal(allowed, TypoRule.AllowedDistance(length));

    [Theory]
    [InlineData("rank", "rnak", 1)] // a transposition counts 1
    [InlineData("retrieval", "retreival", 1)]
    [InlineData("retrieval", "retrival", 1)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("ca", "abc", 3)] // optimal string alignment: no edit of a transposed pair
    [InlineData("", "abc", 3)]
    [InlineData("same", "same", 0)]
    public void Edit_distance(string a, string b, int expected)
    {
        var distance = new EditDistance();
        Assert.Equal(expected, distance.Compute(a, b));
        Assert.Equal(expected, distance.Compute(b, a));
    }

    [Theory]
    [InlineData("retrieval", "generation", 2)]
    [InlineData("abcdefghij", "jihgfedcba", 1)]
    [InlineData("aaaa", "bbbbbbb", 2)]
    public void Bounded_edit_distance_stops_past_the_bound(string a, string b, int bound)
    {
        var distance = new EditDistance();
        Assert.Equal(bound + 1, distance.Compute(a, b, bound));
        Assert.True(distance.Compute(a, b) > bound);
    }

    [Fact]
    public void Bounded_edit_distance_agrees_with_the_unbounded_one()
    {
        var distance = new EditDistance();
        var words = new[] { "retrieval", "retreival", "retrival", "rerank", "reranker", "rank", "grading", "grade", "ab", "ba", "abc", "" };
        foreach (var a in words)
        {
            foreach (var b in words)
            {
                var full = distance.Compute(a, b);
                for (var bound = 0; bound <= 4; bound++)
                {
                    Assert.Equal(full <= bound ? full : bound + 1, distance.Compute(a, b, bound));
                }
            }
        }
    }
}
