using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Tollgate.Calls;
using Tollgate.Metering;
using Tollgate.Metering.Costs;
using Tollgate.Metering.Pricing;
using Tollgate.Routing;
using Yarp.ReverseProxy.Forwarder;

namespace Tollgate.Tests.Metering;

/// <summary>The gateway's own time (the gateway-time histogram) against the time spent waiting for the provider.</summary>
public sealed class MeteredResponseStreamTimingTests
{
    private static readonly PassThroughRoute Route = new()
    {
        Name = "openai",
        Prefix = "/openai",
        IsCustomEndpoint = false,
        Upstream = new UpstreamTarget(new Uri("https://api.openai.com")),
        RequiresVirtualKey = true,
        ForwardClientHeaders = true,
        RequestConfig = ForwarderRequestConfig.Empty,
    };

    [Fact]
    public async Task A_slow_reader_counts_as_the_gateway_s_time_not_the_provider_s()
    {
        var time = new FakeTimeProvider();
        var client = new GatedStream();
        var context = new DefaultHttpContext();
        context.Response.Body = client;
        context.Response.ContentType = "text/event-stream";
        var call = new PassThroughCall(context, Route, RawRequestTarget.Of("/openai/v1/chat/completions").WithTail(7), time);
        var body = MeteredResponseStream.Install(call, new CallPricing(PriceTable.BuiltIn, injectIntoStreams: false));

        call.Timing.RequestSent();
        time.Advance(TimeSpan.FromSeconds(1)); // the provider thinks
        var first = body.WriteAsync("data: {}\n\n"u8.ToArray()).AsTask();
        time.Advance(TimeSpan.FromSeconds(5)); // the client does not read: back-pressure
        client.Release();
        await first;
        time.Advance(TimeSpan.FromSeconds(2)); // the provider's next event
        await body.WriteAsync("data: [DONE]\n\n"u8.ToArray());
        call.Timing.Finish();

        Assert.Equal(TimeSpan.FromSeconds(5), call.Timing.GatewayTime);
    }

    [Fact]
    public void The_overhead_is_the_time_before_the_request_left()
    {
        var time = new FakeTimeProvider();
        var call = new PassThroughCall(new DefaultHttpContext(), Route, RawRequestTarget.Of("/openai/v1/models").WithTail(7), time);

        time.Advance(TimeSpan.FromMilliseconds(3));
        call.Timing.RequestSent();
        time.Advance(TimeSpan.FromSeconds(4));
        call.Timing.Finish();

        Assert.Equal(TimeSpan.FromMilliseconds(3), call.Timing.Overhead);
        Assert.Equal(TimeSpan.FromMilliseconds(3), call.Timing.GatewayTime);
        Assert.Equal(time.Start, call.Timing.StartTime);
    }

    /// <summary>A client connection whose first write completes only when the test releases it.</summary>
    private sealed class GatedStream : Stream
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private bool _gated = true;

        public void Release() => _released.SetResult();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_gated)
            {
                _gated = false;
                await _released.Task;
            }
        }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
