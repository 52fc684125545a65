using System.Buffers;
using System.IO.Pipelines;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Tollgate.Forwarding;

namespace Tollgate.Tests.Forwarding;

/// <summary>A small body already in the server's buffer goes upstream as one content with the headers; anything else is left to stream.</summary>
public sealed class ArrivedRequestBodyTests
{
    [Fact]
    public async Task A_small_body_that_has_arrived_is_sent_as_one_content_with_its_headers()
    {
        var body = Encoding.UTF8.GetBytes("""{"model":"gpt-4o-mini"}""");
        var (request, pipe) = await RequestWithAsync(body, body.Length, complete: true);

        var sent = await SendAsync(request);

        Assert.IsType<ByteArrayContent>(sent.Content);
        Assert.Equal(body, sent.Body);
        Assert.Equal("application/json", sent.ContentType);
        Assert.True((await pipe.Reader.ReadAsync()).Buffer.IsEmpty, "the body was taken out of the server's buffer");
    }

    [Fact]
    public async Task A_body_still_arriving_is_left_for_the_forwarder_to_stream()
    {
        var half = Encoding.UTF8.GetBytes("""{"model":""");
        var (request, pipe) = await RequestWithAsync(half, half.Length * 2, complete: false);

        var sent = await SendAsync(request);

        Assert.IsNotType<ByteArrayContent>(sent.Content);
        Assert.Equal(half, (await pipe.Reader.ReadAsync()).Buffer.ToArray());
    }

    [Fact]
    public async Task A_body_over_the_limit_is_left_for_the_forwarder_to_stream()
    {
        var body = new byte[ArrivedRequestBody.MaxBytes + 1];
        var (request, pipe) = await RequestWithAsync(body, body.Length, complete: true);

        var sent = await SendAsync(request);

        Assert.IsNotType<ByteArrayContent>(sent.Content);
        Assert.Equal(body.Length, (await pipe.Reader.ReadAsync()).Buffer.Length);
    }

    /// <summary>The client's request with <paramref name="bytes"/> in the server's body buffer, declared as <paramref name="contentLength"/> long.</summary>
    private static async Task<(HttpRequest Request, Pipe Pipe)> RequestWithAsync(byte[] bytes, long contentLength, bool complete)
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(bytes);
        if (complete)
        {
            await pipe.Writer.CompleteAsync();
        }

        var context = new DefaultHttpContext();
        context.Features.Set<IRequestBodyPipeFeature>(new BodyPipe(pipe.Reader));
        context.Request.ContentLength = contentLength;
        return (context.Request, pipe);
    }

    /// <summary>Runs the transformer's step and the handler, as a forwarded call does; returns what reached the socket handler.</summary>
    private static async Task<Captured> SendAsync(HttpRequest request)
    {
        var streamed = new StreamContent(Stream.Null);
        streamed.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        streamed.Headers.ContentLength = request.ContentLength; // the transformer copies the client's content headers
        using var proxyRequest = new HttpRequestMessage(HttpMethod.Post, "http://upstream.test/v1/chat/completions") { Content = streamed };
        ArrivedRequestBody.TryTake(request, proxyRequest);

        var socket = new CapturingHandler();
        using var invoker = new HttpMessageInvoker(new ArrivedRequestBody.Handler(socket));
        using var response = await invoker.SendAsync(proxyRequest, CancellationToken.None);
        return socket.Captured!;
    }

    private sealed record Captured(HttpContent Content, byte[] Body, string? ContentType);

    private sealed class CapturingHandler : HttpMessageHandler
    {
        public Captured? Captured { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var content = request.Content!;
            var body = content is ByteArrayContent ? await content.ReadAsByteArrayAsync(cancellationToken) : [];
            Captured = new Captured(content, body, content.Headers.ContentType?.ToString());
            return new HttpResponseMessage(System.Net.HttpStatusCode.OK);
        }
    }

    private sealed class BodyPipe(PipeReader reader) : IRequestBodyPipeFeature
    {
        public PipeReader Reader { get; } = reader;
    }
}
