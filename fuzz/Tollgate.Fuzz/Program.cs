using SharpFuzz;
using Tollgate.Fuzz;

// Tollgate.Fuzz <target>             inputs come from afl-fuzz through SharpFuzz (fuzz/run.sh starts it)
// Tollgate.Fuzz <target> <file>...   runs each file once: the seed corpus, or a finding to reproduce
if (args.Length == 0 || !FuzzTargets.ByName.TryGetValue(args[0], out var target))
{
    await Console.Error.WriteLineAsync($"usage: Tollgate.Fuzz <{string.Join('|', FuzzTargets.ByName.Keys)}> [input files...]");
    return 2;
}

if (args.Length > 1)
{
    foreach (var file in args[1..])
    {
        target(await File.ReadAllBytesAsync(file));
    }

    return 0;
}

Fuzzer.OutOfProcess.Run(stream =>
{
    using var input = new MemoryStream();
    stream.CopyTo(input);
    target(input.ToArray());
});
return 0;
