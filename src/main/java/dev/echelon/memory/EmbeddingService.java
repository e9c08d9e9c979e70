package dev.echelon.memory;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.model.output.Response;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/**
 * Sentence embeddings from the in-process ONNX model (all-MiniLM-L6-v2, 384 dimensions). The model ships inside the
 * jar — nothing is downloaded — and is loaded on first use, because loading it costs about a second and most
 * requests never need it. Calls block (inference runs on the calling thread): callers keep them off the event loop.
 */
@ApplicationScoped
public class EmbeddingService {

    public static final String MODEL_NAME = "all-minilm-l6-v2";
    public static final int DIMENSIONS = 384;

    private volatile EmbeddingModel model;

    private EmbeddingModel model() {
        EmbeddingModel m = model;
        if (m == null) {
            synchronized (this) {
                m = model;
                if (m == null) {
                    m = new AllMiniLmL6V2EmbeddingModel();
                    model = m;
                }
            }
        }
        return m;
    }

    /** Vectors, one per input in order, and the word-piece tokens the model read (for usage reporting). */
    public record Embeddings(List<float[]> vectors, int tokens) {
    }

    public Embeddings embed(List<String> texts) {
        Response<List<Embedding>> r = model().embedAll(texts.stream().map(TextSegment::from).toList());
        Integer tokens = r.tokenUsage() == null ? null : r.tokenUsage().inputTokenCount();
        return new Embeddings(r.content().stream().map(Embedding::vector).toList(), tokens == null ? 0 : tokens);
    }
}
