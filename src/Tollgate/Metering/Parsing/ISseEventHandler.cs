namespace Tollgate.Metering.Parsing;

/// <summary>Receives the blocks of an SSE stream from <see cref="SseEventSplitter"/>, in stream order.</summary>
internal interface ISseEventHandler
{
    void OnEvent(SseEvent sseEvent);
}
