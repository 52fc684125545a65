using Microsoft.AspNetCore.Http;
using Tollgate.Metering;
using Tollgate.Metering.Meters;

namespace Tollgate.Tests.Metering;

public sealed class ResponseMetersTests
{
    [Theory]
    [InlineData("openai", "/v1/chat/completions", 400, "application/json")]
    [InlineData("openai", "/v1/chat/completions", 500, "application/json")]
    [InlineData("openai", "/v1/chat/completions", 204, null)]
    [InlineData("openai", "/v1/chat/completions", 101, null)]
    [InlineData("openai", "/v1/models", 200, "application/json")]
    [InlineData("openai", "/v1/responses/resp_123", 200, "application/json")]
    [InlineData("openai", "/v1/files", 200, "application/json")]
    [InlineData("openai", "/v1/audio/speech", 200, "audio/mpeg")]
    [InlineData("openai", "/v1/chat/completions", 200, "text/plain")]
    [InlineData("anthropic", "/v1/messages/count_tokens", 200, "application/json")]
    [InlineData("anthropic", "/v1/messages/batches", 200, "application/json")]
    [InlineData("anthropic", "/v1/models", 200, "application/json")]
    [InlineData("gemini", "/v1beta/models/gemini-2.0-flash:countTokens", 200, "application/json")]
    [InlineData("gemini", "/v1beta/models", 200, "application/json")]
    [InlineData("vertex_ai", "/v1/projects/p/locations/l/publishers/google/models/gemini-2.0-flash:countTokens", 200, "application/json")]
    [InlineData("bedrock", "/agents/A1/agentAliases/L1/sessions/s1/text", 200, "application/vnd.amazon.eventstream")]
    [InlineData("bedrock", "/knowledgebases/KB1/retrieve", 200, "application/json")]
    [InlineData("bedrock", "/model/anthropic.claude-3-5-haiku-20241022-v1:0/count-tokens", 200, "application/json")]
    [InlineData("azure", "/openai/deployments/d/chat/completions?api-version=2024-10-21", 429, "application/json")]
    [InlineData("azure", "/openai/models?api-version=2024-10-21", 200, "application/json")]
    [InlineData("cohere", "/v1/models", 200, "application/json")]
    [InlineData("assemblyai", "/v2/transcript", 200, "application/json")]
    [InlineData("my-endpoint", "/anything", 200, "application/octet-stream")]
    public void Nothing_to_meter_gives_no_meter(string provider, string tail, int status, string? contentType) =>
        Assert.Null(ResponseMeters.Create(ProviderDialects.Of(provider), tail, "m", status, contentType, new HeaderDictionary()));

    [Theory]
    [InlineData("openai", "/v1/chat/completions", "text/event-stream", typeof(SseResponseMeter))]
    [InlineData("openai", "/v1/chat/completions", "application/json", typeof(JsonBodyResponseMeter))]
    [InlineData("openai", "/v1/chat/completions", null, typeof(JsonBodyResponseMeter))]
    [InlineData("openai", "/v1/audio/transcriptions", "text/event-stream", typeof(SseResponseMeter))]
    [InlineData("mistral", "/v1/fim/completions", "application/json", typeof(JsonBodyResponseMeter))]
    [InlineData("gemini", "/v1beta/models/gemini-2.0-flash:streamGenerateContent", "application/json", typeof(JsonSequenceResponseMeter))]
    [InlineData("gemini", "/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse", "text/event-stream", typeof(SseResponseMeter))]
    [InlineData("gemini", "/v1beta/openai/chat/completions", "application/json", typeof(JsonBodyResponseMeter))]
    [InlineData("vertex_ai", "/v1/projects/p/locations/l/publishers/meta/models/llama-4:rawPredict", "application/json", typeof(JsonBodyResponseMeter))]
    [InlineData("vertex_ai", "/v1/projects/p/locations/l/endpoints/openapi/chat/completions", "text/event-stream", typeof(SseResponseMeter))]
    [InlineData("bedrock", "/model/m/converse-stream", "application/vnd.amazon.eventstream", typeof(EventStreamResponseMeter))]
    [InlineData("bedrock", "/model/m/invoke", "application/json", typeof(JsonBodyResponseMeter))]
    [InlineData("cohere", "/v1/chat", "application/stream+json", typeof(JsonSequenceResponseMeter))]
    [InlineData("cohere", "/compatibility/v1/chat/completions", "application/json", typeof(JsonBodyResponseMeter))]
    [InlineData("my-endpoint", "", "application/json; charset=utf-8", typeof(JsonBodyResponseMeter))]
    public void The_content_type_picks_the_framing(string provider, string tail, string? contentType, Type meterType) =>
        Assert.IsType(meterType, ResponseMeters.Create(ProviderDialects.Of(provider), tail, null, 200, contentType, new HeaderDictionary()));

    [Theory]
    [InlineData("gemini", "/v1beta/models/gemini-2.0-flash:generateContent", "ignored", "gemini-2.0-flash")]
    [InlineData("vertex_ai", "/v1/projects/p/locations/l/publishers/anthropic/models/claude-sonnet-4@20250514:rawPredict", "ignored", "claude-sonnet-4@20250514")]
    [InlineData("vertex_ai", "/v1beta1/projects/p/locations/l/publishers/google/models/gemini-2.5-pro:generateContent", null, "gemini-2.5-pro")]
    [InlineData("bedrock", "/model/anthropic.claude-3-5-haiku-20241022-v1:0/converse-stream", null, "anthropic.claude-3-5-haiku-20241022-v1:0")]
    [InlineData("bedrock", "/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse", null, "anthropic.claude-3-5-haiku-20241022-v1:0")]
    [InlineData("bedrock", "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Ainference-profile%2Fus.x/invoke", null, "arn:aws:bedrock:us-east-1:1:inference-profile/us.x")]
    [InlineData("bedrock", "/model/arn:aws:bedrock:us-east-1:1:application-inference-profile/abc123/invoke-with-response-stream", null, "arn:aws:bedrock:us-east-1:1:application-inference-profile/abc123")]
    [InlineData("azure", "/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21", "gpt-4o", "gpt-4o-prod")]
    [InlineData("azure", "/openai/v1/chat/completions?api-version=preview", "gpt-4o", "gpt-4o")]
    [InlineData("openai", "/v1/chat/completions", "gpt-4o-mini", "gpt-4o-mini")]
    [InlineData("openai", "/v1/chat/completions", null, null)]
    public void The_model_comes_from_the_path_else_the_request(string provider, string tail, string? requestModel, string? model) =>
        Assert.Equal(model, ResponseMeters.Create(ProviderDialects.Of(provider), tail, requestModel, 200, "application/json", new HeaderDictionary())!.Model);
}
