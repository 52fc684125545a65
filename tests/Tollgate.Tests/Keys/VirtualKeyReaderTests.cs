using Microsoft.AspNetCore.Http;
using Tollgate.Keys;

namespace Tollgate.Tests.Keys;

public sealed class VirtualKeyReaderTests
{
    private static HttpRequest Request(string query = "", params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString(query);
        foreach (var (name, value) in headers)
        {
            context.Request.Headers.Append(name, value);
        }

        return context.Request;
    }

    [Theory]
    [InlineData("x-litellm-api-key", "sk-a", (int)VirtualKeySource.LitellmApiKeyHeader)]
    [InlineData("x-litellm-api-key", "Bearer sk-a", (int)VirtualKeySource.LitellmApiKeyHeader)]
    [InlineData("Authorization", "Bearer sk-a", (int)VirtualKeySource.AuthorizationHeader)]
    [InlineData("Authorization", "bearer   sk-a ", (int)VirtualKeySource.AuthorizationHeader)]
    [InlineData("Authorization", "sk-a", (int)VirtualKeySource.AuthorizationHeader)]
    [InlineData("api-key", "sk-a", (int)VirtualKeySource.ApiKeyHeader)]
    [InlineData("x-api-key", "sk-a", (int)VirtualKeySource.XApiKeyHeader)]
    [InlineData("x-goog-api-key", "sk-a", (int)VirtualKeySource.GoogApiKeyHeader)]
    [InlineData("Ocp-Apim-Subscription-Key", "sk-a", (int)VirtualKeySource.ApimSubscriptionKeyHeader)]
    public void Reads_the_key_from_each_place(string header, string value, int expected)
    {
        var key = VirtualKeyReader.Read(Request("", (header, value)), out var source);

        Assert.Equal("sk-a", key);
        Assert.Equal((VirtualKeySource)expected, source);
    }

    [Fact]
    public void Reads_the_key_from_the_query_last()
    {
        Assert.Equal("sk-q", VirtualKeyReader.Read(Request("?alt=sse&key=sk-q"), out var source));
        Assert.Equal(VirtualKeySource.KeyQueryParameter, source);

        Assert.Equal("sk-h", VirtualKeyReader.Read(Request("?key=sk-q", ("x-goog-api-key", "sk-h")), out source));
        Assert.Equal(VirtualKeySource.GoogApiKeyHeader, source);
    }

    [Fact]
    public void The_first_place_in_contract_order_wins()
    {
        var request = Request("", ("x-api-key", "sk-3"), ("Authorization", "Bearer sk-2"), ("x-litellm-api-key", "sk-1"));

        Assert.Equal("sk-1", VirtualKeyReader.Read(request, out var source));
        Assert.Equal(VirtualKeySource.LitellmApiKeyHeader, source);
    }

    [Fact]
    public void An_aws_sdk_signature_is_not_a_key()
    {
        var request = Request("",
            ("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/bedrock/aws4_request, SignedHeaders=host, Signature=abc"),
            ("x-litellm-api-key", ""),
            ("x-api-key", "sk-b"));

        Assert.Equal("sk-b", VirtualKeyReader.Read(request, out var source));
        Assert.Equal(VirtualKeySource.XApiKeyHeader, source);
    }

    [Theory]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer ")]
    [InlineData("   ")]
    public void Other_schemes_and_blank_values_are_not_keys(string authorization)
    {
        Assert.Null(VirtualKeyReader.Read(Request("", ("Authorization", authorization)), out var source));
        Assert.Equal(VirtualKeySource.None, source);
    }
}
