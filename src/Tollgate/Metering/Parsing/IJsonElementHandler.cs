namespace Tollgate.Metering.Parsing;

/// <summary>Receives each complete JSON object from <see cref="JsonSequenceSplitter"/>, in order.</summary>
internal interface IJsonElementHandler
{
    /// <summary>One object's exact bytes (valid only during the call).</summary>
    void OnElement(ReadOnlySpan<byte> json);
}
