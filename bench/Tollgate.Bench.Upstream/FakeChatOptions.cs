using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Tollgate.Bench.Upstream;

/// <summary>
/// What one request asks of the fake, from the query string (<c>size</c>, <c>think_ms</c>, <c>events</c>,
/// <c>delay_ms</c>) or, where a gateway drops the query, the same names as <c>x-bench-*</c> headers.
/// </summary>
/// <param name="Size">Canned completion size: <c>s</c> (about 0.6 KB, default), <c>m</c> (4 KB) or <c>l</c> (32 KB).</param>
/// <param name="ThinkMs">Wait before answering (before the first event of a stream), in ms. Default 0.</param>
/// <param name="Events">Content events in a stream (then a finish chunk, a usage chunk and <c>[DONE]</c>). Default 64.</param>
/// <param name="DelayMs">Pause between content events, in ms. Default 20.</param>
internal readonly record struct FakeChatOptions(char Size, int ThinkMs, int Events, int DelayMs)
{
    public static readonly FakeChatOptions Default = new('s', 0, 64, 20);

    public static FakeChatOptions From(HttpRequest request)
    {
        var headers = request.Headers;
        var query = request.QueryString.HasValue ? request.Query : null;
        string? Get(string name) => query?[name] is { Count: > 0 } q ? q[0] : headers["x-bench-" + name.Replace('_', '-')] is { Count: > 0 } h ? h[0] : null;

        return new FakeChatOptions(
            Get("size") is [var size] && size is 's' or 'm' or 'l' ? size : Default.Size,
            Number(Get("think_ms"), Default.ThinkMs, 60_000),
            Number(Get("events"), Default.Events, 100_000),
            Number(Get("delay_ms"), Default.DelayMs, 60_000));
    }

    private static int Number(string? text, int fallback, int max) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? Math.Min(value, max) : fallback;
}
