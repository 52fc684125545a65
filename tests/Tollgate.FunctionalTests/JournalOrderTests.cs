using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Tollgate.FunctionalTests.Common;

namespace Tollgate.FunctionalTests;

/// <summary>
/// An answer with a <c>Content-Length</c> is complete for the client at its last byte. That byte must leave only
/// once the call's row is in the spend journal, so a gateway killed with <c>kill -9</c> right after keeps the row of
/// every answer a client got whole. A watch under the gateway, where Kestrel takes the bytes, looks in the journal
/// at the moment each answer's last byte is handed over (for a chunked answer: when the gateway's handler returns,
/// as Kestrel sends the last chunk only then).
/// </summary>
public sealed class JournalOrderTests
{
    private static readonly byte[] ChatCompletion = Encoding.UTF8.GetBytes(
        """{"id":"c1","object":"chat.completion","model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}""");

    private static readonly byte[] ModelList = Encoding.UTF8.GetBytes(new string('m', 200_000));

    [Theory]
    [InlineData("openai/v1/chat/completions", true, HttpStatusCode.OK, false, "a JSON answer held for its cost header")]
    [InlineData("openai/v1/models", true, HttpStatusCode.OK, false, "an answer passed through in several writes")]
    [InlineData("openai/v1/chat/completions", false, HttpStatusCode.Unauthorized, true, "the gateway's own refusal")]
    public async Task The_last_byte_of_an_answer_leaves_after_its_row_is_journaled(string path, bool validKey, HttpStatusCode expected, bool chunked, string shape)
    {
        var watch = new LastByteWatch();
        await using var upstream = await AnswersWithLengthAsync();
        await using var gateway = await StartAsync(upstream, watch);
        var key = validKey ? (await gateway.GenerateKeyAsync("{}")).GetProperty("key").GetString()! : "sk-not-a-key";

        var models = path.EndsWith("/models", StringComparison.Ordinal);
        using var request = gateway.Request(models ? HttpMethod.Get : HttpMethod.Post, path, key);
        if (!models)
        {
            request.Content = new StringContent("""{"model":"gpt-4o-mini"}""", Encoding.UTF8, "application/json");
        }

        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();
        var body = await response.Content.ReadAsByteArrayAsync().DefaultTimeout();
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(chunked, response.Headers.TransferEncodingChunked == true);

        var callId = response.Headers.GetValues("x-litellm-call-id").Single();
        Assert.True(watch.JournaledAtLastByte.TryGetValue(callId, out var journaled), $"{shape}: the watch never saw the last byte");
        Assert.True(journaled, $"{shape}: the client had the whole answer before its row was journaled");
    }

    [Fact]
    public async Task A_client_gone_at_the_held_last_write_leaves_a_failure_row_that_says_so()
    {
        var watch = new LastByteWatch { BreakLastWrite = true };
        await using var upstream = await AnswersWithLengthAsync();
        await using var gateway = await StartAsync(upstream, watch);
        var key = (await gateway.GenerateKeyAsync("{}")).GetProperty("key").GetString()!;

        using var request = gateway.Request(HttpMethod.Post, "openai/v1/chat/completions", key);
        request.Content = new StringContent("""{"model":"gpt-4o-mini"}""", Encoding.UTF8, "application/json");
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => gateway.Client.SendAsync(request).DefaultTimeout());

        var row = (await GuardrailTestRows.SpendRowsAsync(gateway, "", rows => rows.GetArrayLength() > 0))[0];
        Assert.Equal("failure", row.GetProperty("status").GetString());
        Assert.True(row.GetProperty("metadata").GetProperty("client_aborted").GetBoolean());
        Assert.Equal(5, row.GetProperty("total_tokens").GetInt64());
    }

    private static Task<FakeUpstream> AnswersWithLengthAsync() => FakeUpstream.StartAsync(async context =>
    {
        var body = context.Request.Path.Value!.EndsWith("/models", StringComparison.Ordinal) ? ModelList : ChatCompletion;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body);
    });

    private static async Task<GatewayTestEnvironment> StartAsync(FakeUpstream upstream, LastByteWatch watch)
    {
        var gateway = await GatewayTestEnvironment.StartAsync(
            $$"""
            general_settings:
              master_key: {{GatewayTestEnvironment.MasterKey}}
            pass_through_providers:
              openai: { api_key: sk-real, api_base: "{{upstream.Origin}}" }
            """,
            services: services => services.AddSingleton<IStartupFilter>(watch));
        watch.JournalFolder = gateway.JournalFolder;
        return gateway;
    }

    /// <summary>Wraps the body Kestrel writes, below the gateway's middleware; notes per call whether its row was journaled when the declared length was reached.</summary>
    private sealed class LastByteWatch : IStartupFilter
    {
        public ConcurrentDictionary<string, bool> JournaledAtLastByte { get; } = new();

        public string JournalFolder { get; set; } = "";

        /// <summary>The last write fails as it would if the client had just closed the connection.</summary>
        public bool BreakLastWrite { get; init; }

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                context.Response.Body = new WireStream(context.Response.Body, context, this);
                await nextMiddleware(context);
                if (context.Response.ContentLength is null)
                {
                    LastByte(context.TraceIdentifier);
                }
            });
            next(app);
        };

        public void LastByte(string callId) => JournaledAtLastByte[callId] = Directory.EnumerateFiles(JournalFolder, "*.jsonl").Any(file =>
        {
            using var reader = new StreamReader(new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
            return reader.ReadToEnd().Contains(callId, StringComparison.Ordinal);
        });
    }

    private sealed class WireStream(Stream inner, HttpContext context, LastByteWatch watch) : Tollgate.Forwarding.WriteOnlyStream
    {
        private long _written;

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _written += buffer.Length;
            if (!buffer.IsEmpty && _written == context.Response.ContentLength)
            {
                watch.LastByte(context.TraceIdentifier);
                if (watch.BreakLastWrite)
                {
                    throw new IOException("The client closed the connection.");
                }
            }

            await inner.WriteAsync(buffer, cancellationToken);
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override void Flush() => inner.Flush();
    }
}
