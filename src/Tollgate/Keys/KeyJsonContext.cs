using System.Text.Json.Serialization;

namespace Tollgate.Keys;

/// <summary>Source-generated JSON for the string lists the key table stores as text.</summary>
[JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class KeyJsonContext : JsonSerializerContext;
