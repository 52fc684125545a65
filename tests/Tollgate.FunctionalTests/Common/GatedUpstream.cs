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

    /// <summary>
    /// How many requests have reached the upstream once <paramref name="count"/> have, or the wait timed
    /// out: a granted request can still be on its way when the refused ones are answered.
    /// </summary>
    public async Task<int> WaitForArrivedAsync(int count)
    {
        var deadline = DateTime.UtcNow + TaskTimeoutExtensions.DefaultTimeoutSpan;
        while (Arrived < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        // A moment more, so one too many would show up too.
        await Task.Delay(50);
        return Arrived;
    }

    /// <summary>Waits until <paramref name="count"/> of <paramref name="calls"/> have finished (the refused ones, while the rest are held).</summary>
    public static async Task<List<Task<T>>> WaitForCompletedAsync<T>(IReadOnlyCollection<Task<T>> calls, int count)
    {
        var deadline = DateTime.UtcNow + TaskTimeoutExtensions.DefaultTimeoutSpan;
        while (calls.Count(c => c.IsCompleted) < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        return [.. calls.Where(c => c.IsCompleted)];
    }

    public ValueTask DisposeAsync()
    {
        Release();
        return _upstream?.DisposeAsync() ?? ValueTask.CompletedTask;
    }
}
