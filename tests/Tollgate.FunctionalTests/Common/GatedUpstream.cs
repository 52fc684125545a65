using Microsoft.AspNetCore.Http;

namespace Tollgate.FunctionalTests.Common;

/// <summary>An upstream that holds every request until <see cref="Release"/>, counting how many reached it: for concurrency limits.</summary>
public sealed class GatedUpstream : IAsyncDisposable
{
    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _arrived;
    private FakeUpstream? _upstream;

    public FakeUpstream Upstream => _upstream!;

    public int Arrived => Volatile.Read(ref _arrived);

    public static async Task<GatedUpstream> StartAsync()
    {
        var gated = new GatedUpstream();
        gated._upstream = await FakeUpstream.StartAsync(async context =>
        {
            Interlocked.Increment(ref gated._arrived);
            await Volatile.Read(ref gated._release).Task;
            await context.Response.WriteAsync("ok");
        });
        return gated;
    }

    public void Release() => Volatile.Read(ref _release).TrySetResult();

    /// <summary>After a <see cref="Release"/>: holds the requests that arrive from now on, counting from zero.</summary>
    public void HoldAgain()
    {
        Volatile.Write(ref _release, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        Volatile.Write(ref _arrived, 0);
    }

    /// <summary>Waits until <paramref name="count"/> requests have reached the upstream.</summary>
    public Task WaitForArrivedAsync(int count) =>
        Poll.UntilAsync(() => Arrived >= count, () => $"{Arrived} of {count} requests reached the upstream");

    /// <summary>
    /// Waits until every one of <paramref name="calls"/> is either answered (refused: the granted ones are held here)
    /// or held at the upstream, so no call is still on its way and one granted too many would show.
    /// </summary>
    /// <returns>The answered calls, and how many reached the upstream.</returns>
    public async Task<(List<Task<T>> Answered, int Arrived)> WaitForSettledAsync<T>(IReadOnlyCollection<Task<T>> calls)
    {
        await Poll.UntilAsync(
            () => calls.Count(c => c.IsCompleted) + Arrived >= calls.Count,
            () => $"{calls.Count(c => c.IsCompleted)} answered and {Arrived} held of {calls.Count} calls");
        return ([.. calls.Where(c => c.IsCompleted)], Arrived);
    }

    public ValueTask DisposeAsync()
    {
        Release();
        return _upstream?.DisposeAsync() ?? ValueTask.CompletedTask;
    }
}
