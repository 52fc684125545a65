using System.Text;
using CsCheck;
using Tollgate.Guardrails;

namespace Tollgate.Tests.Guardrails;

/// <summary>The strict multipart splitter guardrails read forms with.</summary>
public sealed class FormPartsTests
{
    private static readonly Gen<string> FieldText = Gen.OneOf("", "a", "project falcon", "é😀", "--", "\r\n", "x\r\n-", "ann@example.com").Array[0, 6].Select(string.Concat);

    [Fact]
    public void Every_part_of_a_form_as_HttpClient_writes_it_is_found_where_it_lies()
    {
        Gen.Select(FieldText.Array[1, 5], Gen.Bool.Array[5]).Sample((texts, asFile) =>
        {
            using var form = new MultipartFormDataContent("b-" + texts.Length);
            for (var i = 0; i < texts.Length; i++)
            {
                var part = new StringContent(texts[i]);
                if (asFile[i])
                {
                    form.Add(part, "f" + i, $"f{i}.txt");
                }
                else
                {
                    form.Add(part, "f" + i);
                }
            }

            var body = form.ReadAsByteArrayAsync().GetAwaiter().GetResult();
            var parts = new List<FormParts.Part>();

            Assert.Null(FormParts.Split(body, form.Headers.ContentType!.Parameters.Single(p => p.Name == "boundary").Value!.Trim('"'), parts));
            Assert.Equal(texts, parts.Select(p => Encoding.UTF8.GetString(body, p.ContentStart, p.ContentLength)));
            Assert.Equal(asFile.Take(texts.Length), parts.Select(p => p.IsFile));
            Assert.Equal(Enumerable.Range(0, texts.Length).Select(i => "f" + i), parts.Select(p => p.Name));
        }, iter: 300);
    }

    [Fact]
    public void Arbitrary_bytes_are_refused_or_split_and_never_throw()
    {
        var pieces = Gen.OneOf("--b", "\r\n", "\n", "--", "Content-Disposition: form-data; name=\"p\"", "Content-Disposition: form-data; name=p; filename=a",
            "Content-Type: text/plain", "Content-Type: text/plain; charset=utf-16", ": ", "x", "\0", "é").Array[0, 24].Select(string.Concat);
        pieces.Sample(text =>
        {
            var body = Encoding.UTF8.GetBytes(text);
            var parts = new List<FormParts.Part>();
            if (FormParts.Split(body, "b", parts) is null)
            {
                Assert.All(parts, p => Assert.True(p.ContentStart >= 0 && p.ContentStart + p.ContentLength <= body.Length));
                Assert.All(parts, p => Assert.DoesNotContain("--b", Encoding.UTF8.GetString(body, p.ContentStart, p.ContentLength), StringComparison.Ordinal));
            }
        }, iter: 5000);
    }
}
