using Tollgate.Metering.Parsing;
using Tollgate.Metering.Usage;

namespace Tollgate.Metering.Meters;

/// <summary>
/// Meters a non-streamed JSON body: gathered in a pooled buffer up to a limit and read once it is
/// complete. A body over the limit is dropped (nothing is reported; the provider's usage object is
/// at its end, past where a partial parse could reach).
/// </summary>
internal sealed class JsonBodyResponseMeter : ResponseMeter
{
    /// <summary>The default limit: 4 MiB.</summary>
    public const int DefaultMaxBodyBytes = 4 * 1024 * 1024;

    private readonly int _maxBodyBytes;
    private PooledBuffer _body;
    private bool _tooLarge;

    public JsonBodyResponseMeter(UsageReader reader, string? pathModel, string? requestModel, int maxBodyBytes = DefaultMaxBodyBytes)
        : base(reader, pathModel, requestModel) =>
        _maxBodyBytes = maxBodyBytes;

    public override int BufferCapacity => _body.Capacity;

    /// <summary>The body outgrew the limit and was dropped.</summary>
    public bool TooLarge => _tooLarge;

    protected override void ObserveCore(ReadOnlySpan<byte> bytes)
    {
        if (_tooLarge)
        {
            return;
        }

        if (_body.Count + bytes.Length > _maxBodyBytes)
        {
            _tooLarge = true;
            _body.Release();
            return;
        }

        _body.Append(bytes);
    }

    protected override void CompleteCore()
    {
        if (!_tooLarge && _body.Count > 0)
        {
            Reader.ReadJson(_body.Written);
        }
    }

    protected override void ReleaseBuffers() => _body.Release();
}
