using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Tollgate.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Tollgate.Benchmarks.KeyLookupBenchmarks).Assembly).Run(args);
