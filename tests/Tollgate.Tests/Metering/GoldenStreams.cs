using System.Text;

namespace Tollgate.Tests.Metering;

/// <summary>The usage a golden stream must produce, exactly.</summary>
public sealed record ExpectedUsage(
    long Input,
    long Output,
    long CacheRead = 0,
    long CacheCreation = 0,
    long CacheCreation1h = 0,
    long Reasoning = 0,
    bool Reported = true,
    string? Model = null,
    string? ResponseModel = null);

/// <summary>A provider response as it crosses the gateway, with the usage it must be metered as.</summary>
public sealed record GoldenStream(
    string Provider,
    string Tail,
    string? RequestModel,
    string ContentType,
    byte[] Body,
    ExpectedUsage Expected,
    IReadOnlyDictionary<string, string>? Headers = null);

/// <summary>
/// Response bodies in the providers' documented shapes (field names and framing copied from their API
/// references and the fakes in Tollgate.FunctionalTests), one per provider and endpoint.
/// </summary>
public static class GoldenStreams
{
    public static readonly IReadOnlyDictionary<string, GoldenStream> All = new Dictionary<string, GoldenStream>
    {
        ["openai-chat-json"] = new(
            "openai", "/v1/chat/completions", "o3-mini", "application/json",
            Utf8("""{"id":"chatcmpl-AhTJ","object":"chat.completion","created":1734990000,"model":"o3-mini-2025-01-31","choices":[{"index":0,"message":{"role":"assistant","content":"The usage: 42","refusal":null},"finish_reason":"stop"}],"usage":{"prompt_tokens":75,"completion_tokens":1186,"total_tokens":1261,"prompt_tokens_details":{"cached_tokens":64,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":1024,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"service_tier":"default","system_fingerprint":"fp_ef58bd3122"}"""),
            new(75, 1186, CacheRead: 64, Reasoning: 1024, Model: "o3-mini", ResponseModel: "o3-mini-2025-01-31")),

        ["openai-chat-sse"] = new(
            "openai", "/v1/chat/completions", "gpt-4o", "text/event-stream; charset=utf-8",
            Sse(OpenAiChatChunks("gpt-4o-2024-08-06", ["Hél", "lo", " \"usage\": {", " wörld"])
                .Append("""{"id":"chatcmpl-B9","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_eb9dce56a8","choices":[],"usage":{"prompt_tokens":1117,"completion_tokens":46,"total_tokens":1163,"prompt_tokens_details":{"cached_tokens":1024,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}""")
                .Append("[DONE]")),
            new(1117, 46, CacheRead: 1024, Model: "gpt-4o", ResponseModel: "gpt-4o-2024-08-06")),

        ["openai-responses-json"] = new(
            "openai", "/v1/responses", "gpt-4.1", "application/json",
            Utf8("""{"id":"resp_67cc","object":"response","created_at":1741476542,"status":"completed","error":null,"incomplete_details":null,"instructions":null,"max_output_tokens":null,"model":"gpt-4.1-2025-04-14","output":[{"type":"message","id":"msg_67cc","status":"completed","role":"assistant","content":[{"type":"output_text","text":"In a peaceful grove...","annotations":[]}]}],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":null,"summary":null},"store":true,"temperature":1.0,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":1.0,"truncation":"disabled","usage":{"input_tokens":36,"input_tokens_details":{"cached_tokens":0},"output_tokens":87,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":123},"user":null,"metadata":{}}"""),
            new(36, 87, Model: "gpt-4.1", ResponseModel: "gpt-4.1-2025-04-14")),

        ["openai-responses-sse"] = new(
            "openai", "/v1/responses", null, "text/event-stream",
            NamedSse(
                ("response.created", ResponseObject("in_progress", "null")),
                ("response.in_progress", ResponseObject("in_progress", "null")),
                ("response.output_item.added", """{"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"rs_1","type":"reasoning","summary":[]}}"""),
                ("response.output_text.delta", """{"type":"response.output_text.delta","sequence_number":3,"item_id":"msg_1","output_index":1,"content_index":0,"delta":"Hi \"usage\":{"}"""),
                ("response.output_text.done", """{"type":"response.output_text.done","sequence_number":4,"item_id":"msg_1","output_index":1,"content_index":0,"text":"Hi \"usage\":{"}"""),
                ("response.completed", ResponseObject("completed", """{"input_tokens":37,"input_tokens_details":{"cached_tokens":12},"output_tokens":311,"output_tokens_details":{"reasoning_tokens":256},"total_tokens":348}"""))),
            new(37, 311, CacheRead: 12, Reasoning: 256, Model: "o4-mini-2025-04-16", ResponseModel: "o4-mini-2025-04-16")),

        ["openai-embeddings"] = new(
            "openai", "/v1/embeddings", "text-embedding-3-small", "application/json",
            Utf8("""{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.0023064255,-0.009327292,-0.0028842222]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}}"""),
            new(8, 0, Model: "text-embedding-3-small", ResponseModel: "text-embedding-3-small")),

        ["azure-chat-sse"] = new(
            "azure", "/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21", null, "text/event-stream",
            Sse(new[] { """{"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"}}}]}""" }
                .Concat(OpenAiChatChunks("gpt-4o-2024-11-20", ["Hello", "!"]))
                .Append("""{"choices":[],"created":1741569952,"id":"chatcmpl-Az","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk","system_fingerprint":"fp_b705f0c291","usage":{"completion_tokens":2,"completion_tokens_details":{"accepted_prediction_tokens":0,"audio_tokens":0,"reasoning_tokens":0,"rejected_prediction_tokens":0},"prompt_tokens":19,"prompt_tokens_details":{"audio_tokens":0,"cached_tokens":0},"total_tokens":21}}""")
                .Append("[DONE]")),
            new(19, 2, Model: "gpt-4o-prod", ResponseModel: "gpt-4o-2024-11-20")),

        ["mistral-chat-sse"] = new(
            "mistral", "/v1/chat/completions", "mistral-small-latest", "text/event-stream",
            Sse(
                """{"id":"cmpl-e5cc70bb","object":"chat.completion.chunk","created":1702256327,"model":"mistral-small-latest","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}""",
                """{"id":"cmpl-e5cc70bb","object":"chat.completion.chunk","created":1702256327,"model":"mistral-small-latest","choices":[{"index":0,"delta":{"content":"Bonjour"},"finish_reason":null}]}""",
                """{"id":"cmpl-e5cc70bb","object":"chat.completion.chunk","created":1702256327,"model":"mistral-small-latest","choices":[{"index":0,"delta":{"content":""},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"total_tokens":25,"completion_tokens":15}}""",
                "[DONE]"),
            new(10, 15, Model: "mistral-small-latest", ResponseModel: "mistral-small-latest")),

        ["vllm-chat-json"] = new(
            "vllm", "/v1/chat/completions", "meta-llama/Llama-3.1-8B-Instruct", "application/json",
            Utf8("""{"id":"chatcmpl-9a1","object":"chat.completion","created":1736000000,"model":"meta-llama/Llama-3.1-8B-Instruct","choices":[{"index":0,"message":{"role":"assistant","content":"Hi","tool_calls":[]},"logprobs":null,"finish_reason":"stop","stop_reason":null}],"usage":{"prompt_tokens":18,"total_tokens":44,"completion_tokens":26,"prompt_tokens_details":null},"prompt_logprobs":null}"""),
            new(18, 26, Model: "meta-llama/Llama-3.1-8B-Instruct", ResponseModel: "meta-llama/Llama-3.1-8B-Instruct")),

        ["vllm-chat-sse-continuous-usage"] = new(
            "vllm", "/v1/chat/completions", null, "text/event-stream",
            Sse(
                """{"id":"chatcmpl-2","object":"chat.completion.chunk","created":1,"model":"Qwen/Qwen2.5-7B","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],"usage":{"prompt_tokens":12,"total_tokens":12,"completion_tokens":0}}""",
                """{"id":"chatcmpl-2","object":"chat.completion.chunk","created":1,"model":"Qwen/Qwen2.5-7B","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}],"usage":{"prompt_tokens":12,"total_tokens":13,"completion_tokens":1}}""",
                """{"id":"chatcmpl-2","object":"chat.completion.chunk","created":1,"model":"Qwen/Qwen2.5-7B","choices":[{"index":0,"delta":{"content":"!"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"total_tokens":14,"completion_tokens":2}}""",
                """{"id":"chatcmpl-2","object":"chat.completion.chunk","created":1,"model":"Qwen/Qwen2.5-7B","choices":[],"usage":{"prompt_tokens":12,"total_tokens":14,"completion_tokens":2}}""",
                "[DONE]"),
            new(12, 2, Model: "Qwen/Qwen2.5-7B", ResponseModel: "Qwen/Qwen2.5-7B")),

        ["anthropic-messages-json"] = new(
            "anthropic", "/v1/messages", "claude-sonnet-4-5", "application/json",
            Utf8("""{"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"Hello from Claude"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":2048,"cache_read_input_tokens":3,"cache_creation":{"ephemeral_5m_input_tokens":48,"ephemeral_1h_input_tokens":2000},"output_tokens":4,"service_tier":"standard"}}"""),
            new(12 + 3 + 2048, 4, CacheRead: 3, CacheCreation: 2048, CacheCreation1h: 2000, Model: "claude-sonnet-4-5", ResponseModel: "claude-sonnet-4-5-20250929")),

        ["anthropic-messages-sse"] = new(
            "anthropic", "/v1/messages", "claude-sonnet-4-5", "text/event-stream; charset=utf-8",
            NamedSse(AnthropicStreamEvents("claude-sonnet-4-5-20250929", deltaEchoesInput: true)),
            new(25 + 3000 + 1200, 89, CacheRead: 3000, CacheCreation: 1200, CacheCreation1h: 1000, Model: "claude-sonnet-4-5", ResponseModel: "claude-sonnet-4-5-20250929")),

        ["vertex-anthropic-raw-predict-sse"] = new(
            "vertex_ai", "/v1/projects/p/locations/us-east5/publishers/anthropic/models/claude-sonnet-4@20250514:streamRawPredict", null, "text/event-stream; charset=utf-8",
            NamedSse(AnthropicStreamEvents("claude-sonnet-4-20250514", deltaEchoesInput: false)),
            new(25 + 3000 + 1200, 89, CacheRead: 3000, CacheCreation: 1200, CacheCreation1h: 1000, Model: "claude-sonnet-4@20250514", ResponseModel: "claude-sonnet-4-20250514")),

        ["vertex-anthropic-raw-predict-json"] = new(
            "vertex_ai", "/v1/projects/p/locations/us-east5/publishers/anthropic/models/claude-sonnet-4@20250514:rawPredict", null, "application/json",
            Utf8("""{"id":"msg_vrtx_01","type":"message","role":"assistant","model":"claude-sonnet-4-20250514","content":[{"type":"text","text":"Hello from the fake Claude on Vertex"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":11,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":8}}"""),
            new(11, 8, Model: "claude-sonnet-4@20250514", ResponseModel: "claude-sonnet-4-20250514")),

        ["gemini-generate-json"] = new(
            "gemini", "/v1beta/models/gemini-2.0-flash:generateContent", null, "application/json; charset=UTF-8",
            Utf8("""{"candidates":[{"content":{"parts":[{"text":"Hello from Gemini"}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":4,"totalTokenCount":9,"promptTokensDetails":[{"modality":"TEXT","tokenCount":5}]},"modelVersion":"gemini-2.0-flash-001","responseId":"abc"}"""),
            new(5, 4, Model: "gemini-2.0-flash", ResponseModel: "gemini-2.0-flash-001")),

        ["gemini-stream-sse"] = new(
            "gemini", "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", null, "text/event-stream",
            CrlfSse(GeminiChunks()),
            new(2061 + 7, 25 + 290, CacheRead: 2048, Reasoning: 290, Model: "gemini-2.5-flash", ResponseModel: "gemini-2.5-flash")),

        ["vertex-gemini-stream-array"] = new(
            "vertex_ai", "/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-flash:streamGenerateContent", null, "application/json; charset=UTF-8",
            Utf8("[" + string.Join(",\r\n", GeminiChunks()) + "]"),
            new(2061 + 7, 25 + 290, CacheRead: 2048, Reasoning: 290, Model: "gemini-2.5-flash", ResponseModel: "gemini-2.5-flash")),

        ["vertex-gemini-stream-sse"] = new(
            "vertex_ai", "/v1/projects/p/locations/global/publishers/google/models/gemini-2.5-pro:streamGenerateContent?alt=sse", null, "text/event-stream",
            CrlfSse(GeminiChunks()),
            new(2061 + 7, 25 + 290, CacheRead: 2048, Reasoning: 290, Model: "gemini-2.5-pro", ResponseModel: "gemini-2.5-flash")),

        ["vertex-gemini-generate-json"] = new(
            "vertex_ai", "/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.0-flash-001:generateContent", null, "application/json; charset=UTF-8",
            Utf8("""{"candidates":[{"content":{"role":"model","parts":[{"text":"Hello from the fake Vertex"}]},"finishReason":"STOP","avgLogprobs":-0.1}],"usageMetadata":{"promptTokenCount":7,"candidatesTokenCount":5,"totalTokenCount":12},"modelVersion":"gemini-2.0-flash-001","createTime":"2025-01-01T00:00:00.000000Z","responseId":"fake-vertex-1"}"""),
            new(7, 5, Model: "gemini-2.0-flash-001", ResponseModel: "gemini-2.0-flash-001")),

        ["bedrock-converse-json"] = new(
            "bedrock", "/model/anthropic.claude-3-7-sonnet-20250219-v1:0/converse", null, "application/json",
            Utf8("""{"metrics":{"latencyMs":2100},"output":{"message":{"content":[{"text":"Hello from Bedrock"}],"role":"assistant"}},"stopReason":"end_turn","usage":{"cacheReadInputTokens":4740,"cacheWriteInputTokens":0,"inputTokens":4,"outputTokens":300,"totalTokens":5044}}"""),
            new(4 + 4740, 300, CacheRead: 4740, Model: "anthropic.claude-3-7-sonnet-20250219-v1:0")),

        ["bedrock-converse-stream"] = new(
            "bedrock", "/model/us.anthropic.claude-3-7-sonnet-20250219-v1:0/converse-stream", null, "application/vnd.amazon.eventstream",
            EventStreamFrames.Concat(ConverseStreamFrames()),
            new(9 + 100 + 50, 2, CacheRead: 100, CacheCreation: 50, Model: "us.anthropic.claude-3-7-sonnet-20250219-v1:0")),

        ["bedrock-invoke-anthropic-headers"] = new(
            "bedrock", "/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/invoke", null, "application/json",
            Utf8("""{"id":"msg_bdrk_01","type":"message","role":"assistant","model":"claude-3-5-haiku-20241022","content":[{"type":"text","text":"Hello from Claude on Bedrock"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":10,"cache_creation_input_tokens":30,"cache_read_input_tokens":0,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":30},"output_tokens":8}}"""),
            new(10 + 30, 8, CacheCreation: 30, CacheCreation1h: 30, Model: "anthropic.claude-3-5-haiku-20241022-v1:0", ResponseModel: "claude-3-5-haiku-20241022"),
            new Dictionary<string, string>
            {
                ["x-amzn-bedrock-input-token-count"] = "10",
                ["x-amzn-bedrock-output-token-count"] = "8",
                ["x-amzn-bedrock-cache-read-input-token-count"] = "0",
                ["x-amzn-bedrock-cache-write-input-token-count"] = "30",
            }),

        ["bedrock-invoke-llama-body"] = new(
            "bedrock", "/model/meta.llama3-1-70b-instruct-v1:0/invoke", null, "application/json",
            Utf8("""{"generation":"Hello from the fake Llama","prompt_token_count":10,"generation_token_count":5,"stop_reason":"stop"}"""),
            new(10, 5, Model: "meta.llama3-1-70b-instruct-v1:0")),

        ["bedrock-invoke-titan-body"] = new(
            "bedrock", "/model/amazon.titan-text-express-v1/invoke", null, "application/json",
            Utf8("""{"inputTextTokenCount":6,"results":[{"tokenCount":17,"outputText":"Hello from Titan","completionReason":"FINISH"}]}"""),
            new(6, 17, Model: "amazon.titan-text-express-v1")),

        ["bedrock-invoke-nova-body"] = new(
            "bedrock", "/model/us.amazon.nova-lite-v1:0/invoke", null, "application/json",
            Utf8("""{"output":{"message":{"content":[{"text":"Hello from Nova"}],"role":"assistant"}},"stopReason":"end_turn","usage":{"inputTokens":21,"outputTokens":9,"totalTokens":1054,"cacheReadInputTokenCount":1024,"cacheWriteInputTokenCount":0}}"""),
            new(21 + 1024, 9, CacheRead: 1024, Model: "us.amazon.nova-lite-v1:0")),

        ["bedrock-invoke-stream-anthropic"] = new(
            "bedrock", "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-3-5-haiku-20241022-v1%3A0/invoke-with-response-stream", null, "application/vnd.amazon.eventstream",
            EventStreamFrames.Concat(BedrockAnthropicChunks().Select(EventStreamFrames.Chunk)),
            new(10 + 20, 2, CacheRead: 20, Model: "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0", ResponseModel: "claude-3-5-haiku-20241022")),

        ["bedrock-invoke-stream-llama"] = new(
            "bedrock", "/model/meta.llama3-1-8b-instruct-v1:0/invoke-with-response-stream", null, "application/vnd.amazon.eventstream",
            EventStreamFrames.Concat(
            [
                EventStreamFrames.Chunk("""{"generation":"Hel","prompt_token_count":10,"generation_token_count":1,"stop_reason":null}"""),
                EventStreamFrames.Chunk("""{"generation":"lo","prompt_token_count":null,"generation_token_count":2,"stop_reason":"stop","amazon-bedrock-invocationMetrics":{"inputTokenCount":10,"outputTokenCount":2,"invocationLatency":321,"firstByteLatency":120}}"""),
            ]),
            new(10, 2, Model: "meta.llama3-1-8b-instruct-v1:0")),

        ["cohere-v2-chat-json"] = new(
            "cohere", "/v2/chat", "command-r-plus-08-2024", "application/json",
            Utf8("""{"id":"c14c80c3-18eb-4519-9460-6c92edd8cfb4","finish_reason":"COMPLETE","message":{"role":"assistant","content":[{"type":"text","text":"Hello from Cohere"}]},"usage":{"billed_units":{"input_tokens":5,"output_tokens":4},"tokens":{"input_tokens":71,"output_tokens":4}}}"""),
            new(5, 4, Model: "command-r-plus-08-2024")),

        ["cohere-v2-chat-sse"] = new(
            "cohere", "/v2/chat", "command-a-03-2025", "text/event-stream",
            NamedSse(
                ("message-start", """{"id":"29f14a5a-11de-4cae-9800-25e4747408ea","type":"message-start","delta":{"message":{"role":"assistant","content":[],"tool_plan":"","tool_calls":[],"citations":[]}}}"""),
                ("content-start", """{"type":"content-start","index":0,"delta":{"message":{"content":{"type":"text","text":""}}}}"""),
                ("content-delta", """{"type":"content-delta","index":0,"delta":{"message":{"content":{"text":"Hello"}}}}"""),
                ("content-end", """{"type":"content-end","index":0}"""),
                ("message-end", """{"type":"message-end","delta":{"finish_reason":"COMPLETE","usage":{"billed_units":{"input_tokens":3,"output_tokens":2},"tokens":{"input_tokens":69,"output_tokens":2},"cached_tokens":0}}}""")),
            new(3, 2, Model: "command-a-03-2025")),

        ["cohere-v1-chat-stream-json"] = new(
            "cohere", "/v1/chat", "command-r", "application/stream+json",
            Utf8(
                """{"is_finished":false,"event_type":"stream-start","generation_id":"5a1c"}""" + "\n" +
                """{"is_finished":false,"event_type":"text-generation","text":"Hi {\"meta\":{"}""" + "\n" +
                """{"is_finished":true,"event_type":"stream-end","response":{"response_id":"r1","text":"Hi","generation_id":"5a1c","chat_history":[{"role":"USER","message":"hello"}],"finish_reason":"COMPLETE","meta":{"api_version":{"version":"1"},"billed_units":{"input_tokens":17,"output_tokens":1},"tokens":{"input_tokens":83,"output_tokens":1}}},"finish_reason":"COMPLETE"}""" + "\n"),
            new(17, 1, Model: "command-r")),

        ["cohere-v2-embed-json"] = new(
            "cohere", "/v2/embed", "embed-v4.0", "application/json",
            Utf8("""{"id":"da6e531f","embeddings":{"float":[[0.016296387,-0.008354187]]},"texts":["hello"],"meta":{"api_version":{"version":"2"},"billed_units":{"input_tokens":2}}}"""),
            new(2, 0, Model: "embed-v4.0")),

        ["assemblyai-lemur-json"] = new(
            "assemblyai", "/lemur/v3/generate/task", "anthropic/claude-sonnet-4-20250514", "application/json",
            Utf8("""{"request_id":"5e1b27c2-691f-4414-8bc5-f14678442f9e","response":"The speaker greets the audience.","usage":{"input_tokens":27,"output_tokens":3}}"""),
            new(27, 3, Model: "anthropic/claude-sonnet-4-20250514")),

        ["custom-openai-shaped-json"] = new(
            "my-llm", "", null, "application/json",
            Utf8("""{"id":"x","object":"chat.completion","model":"house-model-7b","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}"""),
            new(3, 1, Model: "house-model-7b", ResponseModel: "house-model-7b")),
    };

    public static TheoryData<string, string> NamesAndModes()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in All.Keys)
        {
            foreach (var mode in Splits.Modes)
            {
                data.Add(name, mode);
            }
        }

        return data;
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Anthropic's event sequence with cache reads, 5-minute and 1-hour cache writes, and a tool-use delta whose JSON mentions usage.</summary>
    public static (string Name, string Data)[] AnthropicStreamEvents(string model, bool deltaEchoesInput) =>
    [
        ("message_start", $$$$"""{"type":"message_start","message":{"id":"msg_014p","type":"message","role":"assistant","model":"{{{{model}}}}","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":1200,"cache_read_input_tokens":3000,"cache_creation":{"ephemeral_5m_input_tokens":200,"ephemeral_1h_input_tokens":1000},"output_tokens":1,"service_tier":"standard"}}}"""),
        ("ping", """{"type": "ping"}"""),
        ("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"""),
        ("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Grüße, "}}"""),
        ("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"world 🌍"}}"""),
        ("content_block_stop", """{"type":"content_block_stop","index":0}"""),
        ("content_block_start", """{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01","name":"record","input":{}}}"""),
        ("content_block_delta", """{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"usage\": {\"output_tokens\": 999999"}}"""),
        ("content_block_stop", """{"type":"content_block_stop","index":1}"""),
        ("message_delta", deltaEchoesInput
            ? """{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"input_tokens":25,"cache_creation_input_tokens":1200,"cache_read_input_tokens":3000,"output_tokens":89,"server_tool_use":null}}"""
            : """{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}"""),
        ("message_stop", """{"type":"message_stop"}"""),
    ];

    /// <summary>Gemini 2.5 chunks: cached content, thoughts, tool-use prompt tokens, cumulative usage, the last with finishReason.</summary>
    public static string[] GeminiChunks() =>
    [
        """{"candidates":[{"content":{"parts":[{"text":"The {\"usageMetadata\": 1} "}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":2061,"candidatesTokenCount":3,"totalTokenCount":2361,"cachedContentTokenCount":2048,"promptTokensDetails":[{"modality":"TEXT","tokenCount":2061}],"cacheTokensDetails":[{"modality":"TEXT","tokenCount":2048}],"thoughtsTokenCount":290,"toolUsePromptTokenCount":7},"modelVersion":"gemini-2.5-flash","responseId":"Xy1"}""",
        """{"candidates":[{"content":{"parts":[{"text":"answer ünïcode"}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":2061,"candidatesTokenCount":14,"totalTokenCount":2372,"cachedContentTokenCount":2048,"thoughtsTokenCount":290,"toolUsePromptTokenCount":7},"modelVersion":"gemini-2.5-flash","responseId":"Xy1"}""",
        """{"candidates":[{"content":{"parts":[{"text":"."}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":2061,"candidatesTokenCount":25,"totalTokenCount":2383,"cachedContentTokenCount":2048,"thoughtsTokenCount":290,"toolUsePromptTokenCount":7},"modelVersion":"gemini-2.5-flash","responseId":"Xy1"}""",
    ];

    public static byte[][] ConverseStreamFrames() =>
    [
        EventStreamFrames.Event("messageStart", """{"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQR","role":"assistant"}"""),
        EventStreamFrames.Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"Hel"},"p":"abcdefghijklm"}"""),
        EventStreamFrames.Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"lo \"usage\":{\"inputTokens\":7}"},"p":"abcdefghijklmnopq"}"""),
        EventStreamFrames.Event("contentBlockStop", """{"contentBlockIndex":0,"p":"abcdefghijklmnopqrstuvwxyzABCDEF"}"""),
        EventStreamFrames.Event("messageStop", """{"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01","stopReason":"end_turn"}"""),
        EventStreamFrames.Event("metadata", """{"metrics":{"latencyMs":123},"p":"abcdefghijklmnopqrstuvw","usage":{"cacheReadInputTokens":100,"cacheWriteInputTokens":50,"inputTokens":9,"outputTokens":2,"totalTokens":161}}"""),
    ];

    /// <summary>Claude's own stream chunks that InvokeModelWithResponseStream wraps; the last one carries Bedrock's invocation metrics.</summary>
    public static string[] BedrockAnthropicChunks() =>
    [
        """{"type":"message_start","message":{"id":"msg_bdrk_02","type":"message","role":"assistant","model":"claude-3-5-haiku-20241022","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":10,"cache_creation_input_tokens":0,"cache_read_input_tokens":20,"output_tokens":1}}}""",
        """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""",
        """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}""",
        """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"lo"}}""",
        """{"type":"content_block_stop","index":0}""",
        """{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":2}}""",
        """{"type":"message_stop","amazon-bedrock-invocationMetrics":{"inputTokenCount":10,"outputTokenCount":2,"invocationLatency":321,"firstByteLatency":120,"cacheReadInputTokenCount":20,"cacheWriteInputTokenCount":0}}""",
    ];

    private static IEnumerable<string> OpenAiChatChunks(string model, string[] deltas)
    {
        yield return $$"""{"id":"chatcmpl-B9","object":"chat.completion.chunk","created":1741569952,"model":"{{model}}","service_tier":"default","system_fingerprint":"fp_eb9dce56a8","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}""";
        foreach (var delta in deltas)
        {
            var escaped = delta.Replace("\"", "\\\"", StringComparison.Ordinal);
            yield return $$"""{"id":"chatcmpl-B9","object":"chat.completion.chunk","created":1741569952,"model":"{{model}}","service_tier":"default","system_fingerprint":"fp_eb9dce56a8","choices":[{"index":0,"delta":{"content":"{{escaped}}"},"logprobs":null,"finish_reason":null}],"usage":null}""";
        }

        yield return $$"""{"id":"chatcmpl-B9","object":"chat.completion.chunk","created":1741569952,"model":"{{model}}","service_tier":"default","system_fingerprint":"fp_eb9dce56a8","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}""";
    }

    /// <summary>A Responses API object; a tool whose schema has a "usage" property must not be taken for the usage.</summary>
    private static string ResponseObject(string status, string usage)
    {
        var type = status == "completed" ? "response.completed" : status == "in_progress" && usage == "null" ? "response.created" : "response.in_progress";
        const string Template = """{"type":"TYPE","sequence_number":0,"response":{"id":"resp_1","object":"response","created_at":1741290958,"status":"STATUS","error":null,"model":"o4-mini-2025-04-16","output":[],"tools":[{"type":"function","name":"report","parameters":{"type":"object","properties":{"usage":{"type":"object","properties":{"input_tokens":{"type":"integer"}}}}}}],"usage":USAGE,"user":null,"metadata":{}}}""";
        return Template.Replace("TYPE", type, StringComparison.Ordinal).Replace("STATUS", status, StringComparison.Ordinal).Replace("USAGE", usage, StringComparison.Ordinal);
    }

    private static byte[] Sse(params IEnumerable<string> data) =>
        Utf8(string.Concat(data.Select(d => "data: " + d + "\n\n")));

    private static byte[] CrlfSse(IEnumerable<string> data) =>
        Utf8(string.Concat(data.Select(d => "data: " + d + "\r\n\r\n")));

    private static byte[] NamedSse(params IEnumerable<(string Name, string Data)> events) =>
        Utf8(string.Concat(events.Select(e => "event: " + e.Name + "\ndata: " + e.Data + "\n\n")));
}
