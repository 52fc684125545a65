using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Tollgate.Calls;
using Tollgate.Forwarding;
using Tollgate.Keys;
using Tollgate.Routing;
using Yarp.ReverseProxy.Forwarder;

namespace Tollgate.Benchmarks;

/// <summary>
/// Making the upstream request's headers for an OpenAI SDK call (its usual fourteen headers, the virtual
/// key in Authorization, tags and an <c>x-pass-</c> header): Tollgate's transformer, which drops the key
/// and hop-by-hop headers, strips the <c>x-pass-</c> prefix and sets the real credential, against YARP's
/// default header copy (the baseline).
/// </summary>
[MemoryDiagnoser]
public class HeaderTransformBenchmarks
{
    private static readonly Uri Upstream = new("https://api.openai.com/v1/chat/completions");

    private readonly DefaultHttpContext _context = new();

    [GlobalSetup]
    public void Setup()
    {
        var request = _context.Request;
        request.Method = "POST";
        request.Path = "/openai/v1/chat/completions";
        request.Host = new HostString("gateway.internal:4000");
        foreach (var (name, value) in new[]
        {
            ("Authorization", "Bearer sk-tollgate-virtual-key-0123456789abcdef"),
            ("Content-Type", "application/json"),
            ("Accept", "application/json"),
            ("User-Agent", "OpenAI/Python 1.99.9"),
            ("Accept-Encoding", "gzip, deflate"),
            ("Connection", "keep-alive"),
            ("X-Stainless-Lang", "python"),
            ("X-Stainless-Package-Version", "1.99.9"),
            ("X-Stainless-OS", "Linux"),
            ("X-Stainless-Arch", "x64"),
            ("X-Stainless-Runtime", "CPython"),
            ("X-Stainless-Runtime-Version", "3.12.7"),
            ("X-Stainless-Retry-Count", "0"),
            ("x-litellm-tags", "team-a,prod"),
            ("x-pass-OpenAI-Organization", "org-example"),
        })
        {
            request.Headers[name] = value;
        }

        var route = BenchmarkRoutes.Provider("openai", credential: new("Authorization", "Bearer sk-real-provider-key"));
        var call = new PassThroughCall(_context, route, RawRequestTarget.Of("/openai/v1/chat/completions").WithTail(7), TimeProvider.System)
        {
            Admission = new(null, null, null, KeyCarriers.All, null),
            Tags = ["team-a", "prod"],
        };
        call.Forward(Upstream, null);
        _context.Features.Set(call);
    }

    [Benchmark(Baseline = true)]
    public async ValueTask<int> YarpDefault()
    {
        using var proxyRequest = new HttpRequestMessage(HttpMethod.Post, Upstream);
        await HttpTransformer.Default.TransformRequestAsync(_context, proxyRequest, "https://api.openai.com", CancellationToken.None);
        return proxyRequest.Headers.NonValidated.Count;
    }

    [Benchmark]
    public async ValueTask<int> Tollgate()
    {
        using var proxyRequest = new HttpRequestMessage(HttpMethod.Post, Upstream);
        await PassThroughTransformer.Instance.TransformRequestAsync(_context, proxyRequest, "https://api.openai.com", CancellationToken.None);
        return proxyRequest.Headers.NonValidated.Count;
    }
}
