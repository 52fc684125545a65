using System.Text.Json.Serialization;

namespace Tollgate.Spend;

/// <summary>Source-generated JSON for spend rows: tag lists in the table, whole rows in the spill file.</summary>
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(SpendLogRow))]
internal sealed partial class SpendJsonContext : JsonSerializerContext;
