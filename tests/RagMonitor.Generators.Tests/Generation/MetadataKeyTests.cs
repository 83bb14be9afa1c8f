using RagMonitor.Generators.Helpers;

namespace RagMonitor.Generators.Tests.Generation;

public sealed class MetadataKeyTests
{
    [Theory]
    [InlineData("topK", "top_k")]
    [InlineData("maxDocuments", "max_documents")]
    [InlineData("question", "question")]
    [InlineData("HTTPStatus", "http_status")]
    [InlineData("documentIDs", "document_ids")]
    [InlineData("IDsSeen", "ids_seen")]
    [InlineData("parseXMLString", "parse_xml_string")]
    [InlineData("userId2", "user_id2")]
    [InlineData("@class", "class")]
    [InlineData("_privateName", "private_name")]
    [InlineData("already_snake", "already_snake")]
    [InlineData("Pascal", "pascal")]
    [InlineData("x", "x")]
    public void Parameter_names_become_snake_case_keys(string name, string key) =>
        Assert.Equal(key, MetadataKeys.ToSnakeCase(name));
}
