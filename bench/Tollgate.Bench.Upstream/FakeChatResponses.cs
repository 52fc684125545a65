using System.Text;

namespace Tollgate.Bench.Upstream;

/// <summary>The canned non-streaming chat completions, encoded once.</summary>
internal sealed class FakeChatResponses
{
    private readonly byte[] _small = Build(300, 80);
    private readonly byte[] _medium = Build(3_700, 900);
    private readonly byte[] _large = Build(32_000, 7_800);

    public ReadOnlyMemory<byte> Completion(char size) => size switch
    {
        'm' => _medium,
        'l' => _large,
        _ => _small,
    };

    private static byte[] Build(int contentChars, int completionTokens)
    {
        const string Words = "The quick brown fox jumps over the lazy dog while the gateway counts every token. ";
        var content = new StringBuilder(contentChars + Words.Length);
        while (content.Length < contentChars)
        {
            content.Append(Words);
        }

        content.Length = contentChars;
        var json =
            $$$"""{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini","system_fingerprint":"fp_bench","choices":[{"index":0,"message":{"role":"assistant","content":"{{{content}}}","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":{{{completionTokens}}},"total_tokens":{{{12 + completionTokens}}}}}""";
        return Encoding.UTF8.GetBytes(json);
    }
}
