using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using Tollgate.Calls;
using Tollgate.Keys;
using Yarp.ReverseProxy.Forwarder;

namespace Tollgate.Forwarding;

/// <summary>
/// Makes the upstream request's headers and URL: the client's headers by <see cref="HeaderRules"/>,
/// then <c>x-pass-*</c>, then a custom endpoint's configured headers, then the real credential, so a
/// later step always wins. The body is YARP's stream, untouched, or, when small and already arrived, the
/// same bytes sent with the headers (<see cref="ArrivedRequestBody"/>). Responses use YARP's default copy.
/// </summary>
internal sealed class PassThroughTransformer : HttpTransformer
{
    public static readonly PassThroughTransformer Instance = new();

    public override ValueTask TransformRequestAsync(
        HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        var call = httpContext.Features.GetRequiredFeature<PassThroughCall>();
        var route = call.Route;
        var removed = call.Admission.RemovedCarriers;
        var headers = httpContext.Request.Headers;
        ArrivedRequestBody.TryTake(httpContext.Request, proxyRequest);
        var connectionTokens = headers.Connection;
        List<KeyValuePair<string, StringValues>>? passed = null;

        foreach (var header in headers)
        {
            var name = header.Key;
            switch (HeaderRules.Classify(name, route, removed))
            {
                case HeaderAction.Forward when !ConnectionOptions.Names(connectionTokens, name):
                    Add(proxyRequest, name, Removable(name, removed) ? WebSocketKeyProtocol.Without(header.Value) : header.Value);
                    break;
                // Named in Connection under either name, it belongs to the client's hop only.
                case HeaderAction.ForwardWithoutPrefix
                    when !ConnectionOptions.Names(connectionTokens, name) && !ConnectionOptions.Names(connectionTokens, name.AsSpan(HeaderRules.PassPrefix.Length)):
                    (passed ??= []).Add(new(name[HeaderRules.PassPrefix.Length..], header.Value));
                    break;
            }
        }

        if (passed is not null)
        {
            foreach (var (name, value) in passed)
            {
                Replace(proxyRequest, name, value);
            }
        }

        foreach (var header in route.ExtraHeaders)
        {
            Replace(proxyRequest, header.Key, header.Value);
        }

        if (route.CredentialHeader is { } credential)
        {
            Replace(proxyRequest, credential.Key, credential.Value);
        }

        proxyRequest.RequestUri = call.UpstreamUri;
        route.Preparer?.ApplyCredentials(proxyRequest, call);
        call.Timing.RequestSent();

        // HTTP/2 clients may send "TE: trailers", the one TE value a proxy keeps (gRPC-style streams).
        if (httpContext.Request.Protocol == "HTTP/2" && headers.TE == "trailers")
        {
            proxyRequest.Headers.TryAddWithoutValidation("TE", "trailers");
        }

        return default;
    }

    /// <summary>YARP's header copy, plus <c>x-litellm-overhead-duration-ms</c>: the gateway's own time before the provider was asked.</summary>
    public override ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var copied = base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        if (proxyResponse is not null && proxyResponse.Headers.NonValidated.TryGetValues("Connection", out var connection))
        {
            ConnectionOptions.RemoveNamed(connection, httpContext.Response.Headers);
        }

        if (proxyResponse is not null && httpContext.Features.Get<PassThroughCall>() is { Timing.Sent: true } call)
        {
            var overhead = call.Timing.Overhead.TotalMilliseconds;
            // Rounded, then the shortest form: the same text as the format "0.###", without its slow custom-format path.
            httpContext.Response.Headers[OverheadHeader] = Math.Round(overhead, 3, MidpointRounding.AwayFromZero).ToString(CultureInfo.InvariantCulture);
        }

        return copied;
    }

    public const string OverheadHeader = "x-litellm-overhead-duration-ms";

    public static void Replace(HttpRequestMessage request, string name, StringValues value)
    {
        if (HeaderRules.IsContentHeader(name))
        {
            request.Content?.Headers.Remove(name);
        }
        else
        {
            request.Headers.Remove(name);
        }

        Add(request, name, value);
    }

    /// <summary>The handshake's subprotocols, when their key entries are to go (the others are the client's choice).</summary>
    private static bool Removable(string name, KeyCarriers removed) =>
        (removed & KeyCarriers.WebSocketProtocol) != 0 && name.Equals(WebSocketKeyProtocol.HeaderName, StringComparison.OrdinalIgnoreCase);

    private static void Add(HttpRequestMessage request, string name, StringValues value)
    {
        if (value.Count == 0)
        {
            return;
        }

        var added = value.Count == 1
            ? request.Headers.TryAddWithoutValidation(name, value.ToString())
            : request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)value.ToArray());
        if (!added && request.Content is { } content)
        {
            // Content-Type and friends live on the content; without a body they have nothing to describe.
            _ = value.Count == 1
                ? content.Headers.TryAddWithoutValidation(name, value.ToString())
                : content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)value.ToArray());
        }
    }
}
