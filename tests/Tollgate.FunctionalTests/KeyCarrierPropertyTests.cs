using System.Globalization;
using System.Text;
using CsCheck;
using Microsoft.AspNetCore.Http;
using Tollgate.FunctionalTests.Common;

namespace Tollgate.FunctionalTests;

/// <summary>
/// Property: whatever mix of key carriers a request uses (headers in any casing and number, <c>key</c> query
/// parameters in any casing, percent-encoding and number, the WebSocket subprotocol entry), one of the gateway's
/// keys in them never reaches the upstream, on a provider route and on custom endpoints with and without auth.
/// Requests go through the real pipeline as raw bytes, so no client library normalises them first.
/// </summary>
public sealed class KeyCarrierPropertyTests : IAsyncLifetime
{
    private static readonly string[] Routes = ["/mistral/v1/models", "/relay", "/open-relay", "/public"];

    private static readonly string[] Keys = [GatewayTestEnvironment.VirtualKey, GatewayTestEnvironment.MasterKey];

    private FakeUpstream _upstream = null!;
    private GatewayTestEnvironment _gateway = null!;

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync(static context => context.Response.WriteAsync("{}"));
        var origin = _upstream.Origin;
        _gateway = await GatewayTestEnvironment.StartWithKeysAsync(
            $$"""
              pass_through_endpoints:
                - { path: /relay, target: "{{origin}}/v1/relay", forward_headers: true, auth: true }
                - { path: /open-relay, target: "{{origin}}/v1/open-relay", forward_headers: true }
                - { path: /public, target: "{{origin}}/v1/public" }
            pass_through_providers:
              mistral: { api_key: sk-real-mistral, api_base: {{origin}} }
            """);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task No_carrier_holding_one_of_our_keys_reaches_the_upstream()
    {
        var requests = Gen.Select(Gen.OneOf(Routes), Gen.OneOf(Keys), Carrier.Array[1, 6], Gen.Int[0, 3])
            .Select(static (route, key, carriers, noise) => RequestFor(route, key, carriers, noise));

        await requests.SampleAsync(
            async request =>
            {
                var before = _upstream.Requests.Count;
                var (status, _) = await RawHttp.SendAsync(_gateway.BaseUri, request.Target, request.Headers).DefaultTimeout();

                Assert.Equal(200, status);
                Assert.Equal(before + 1, _upstream.Requests.Count);
                var seen = _upstream.LastRequest;
                Assert.DoesNotContain(request.Key, seen.Everything, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain(request.Key, Uri.UnescapeDataString(seen.RawTarget), StringComparison.OrdinalIgnoreCase);
            },
            iter: 300,
            threads: 1,
            print: static request => request.Target + "\n" + request.Headers);
    }

    /// <summary>Where a key goes: a header line or a query parameter, written as a client could write it.</summary>
    private static readonly Gen<Func<string, (string? Header, string? Parameter)>> Carrier = Gen.OneOf(
        HeaderCarrier("Authorization", Gen.Select(RandomCasing("bearer"), Gen.OneOf(" ", "  ")).Select(static (scheme, space) => scheme + space)),
        HeaderCarrier("x-litellm-api-key", Gen.OneOf("", "Bearer ")),
        HeaderCarrier("api-key", Gen.Const("")),
        HeaderCarrier("x-api-key", Gen.Const("")),
        HeaderCarrier("x-goog-api-key", Gen.Const("")),
        HeaderCarrier("Ocp-Apim-Subscription-Key", Gen.Const("")),
        HeaderCarrier("Sec-WebSocket-Protocol", Gen.OneOf("openai-insecure-api-key.", "realtime, openai-insecure-api-key.")),
        Gen.Select(PercentEncoded("key"), Gen.Int[0, int.MaxValue])
            .Select(static (name, seed) => (Func<string, (string?, string?)>)(key => (null, name + "=" + PartlyEncoded(key, seed)))));

    private static Gen<Func<string, (string? Header, string? Parameter)>> HeaderCarrier(string name, Gen<string> valuePrefix) =>
        Gen.Select(RandomCasing(name), valuePrefix)
            .Select(static (casedName, prefix) => (Func<string, (string?, string?)>)(key => ($"{casedName}: {prefix}{key}", null)));

    private static Gen<string> RandomCasing(string name) =>
        Gen.Bool.Array[name.Length].Select(upper => string.Create(name.Length, (name, upper), static (span, state) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = state.upper[i] ? char.ToUpperInvariant(state.name[i]) : char.ToLowerInvariant(state.name[i]);
            }
        }));

    /// <summary>Each letter as itself (either case), or as %XX with upper- or lower-case hex digits.</summary>
    private static Gen<string> PercentEncoded(string name) =>
        Gen.Int[0, 3].Array[name.Length].Select(forms =>
        {
            var text = new StringBuilder();
            for (var i = 0; i < name.Length; i++)
            {
                var c = name[i];
                var hex = ((int)c).ToString("X2", CultureInfo.InvariantCulture);
                text.Append(forms[i] switch
                {
                    0 => char.ToLowerInvariant(c).ToString(),
                    1 => char.ToUpperInvariant(c).ToString(),
                    2 => "%" + hex,
                    _ => "%" + hex.ToLowerInvariant(),
                });
            }

            return text.ToString();
        });

    /// <summary>The key with some of its characters percent-encoded (the gateway and upstreams decode values).</summary>
    private static string PartlyEncoded(string key, int seed)
    {
        var text = new StringBuilder();
        for (var i = 0; i < key.Length; i++)
        {
            text.Append((seed >> (i % 31) & 1) == 1 ? "%" + ((int)key[i]).ToString("X2", CultureInfo.InvariantCulture) : key[i].ToString());
        }

        return text.ToString();
    }

    private static KeyedRequest RequestFor(string route, string key, Func<string, (string? Header, string? Parameter)>[] carriers, int noise)
    {
        var headers = new StringBuilder();
        var query = new List<string>();
        for (var i = 0; i < noise; i++)
        {
            headers.Append(CultureInfo.InvariantCulture, $"X-Noise-{i}: n{i}\r\n");
            query.Add($"p{i}=v{i}");
        }

        foreach (var carrier in carriers)
        {
            var (header, parameter) = carrier(key);
            if (header is not null)
            {
                headers.Append(header).Append("\r\n");
            }
            else
            {
                query.Add(parameter!);
            }
        }

        var target = query.Count == 0 ? route : route + "?" + string.Join('&', query);
        return new KeyedRequest(target, headers.ToString(), key);
    }

    private sealed record KeyedRequest(string Target, string Headers, string Key);
}
