package dev.echelon.e2e;

import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** What a LangChain4j streaming chat delivered: each partial response in order, then the complete response. */
final class StreamedChat implements StreamingChatResponseHandler {

    final List<String> partials = new CopyOnWriteArrayList<>();
    private final CompletableFuture<ChatResponse> done = new CompletableFuture<>();

    @Override
    public void onPartialResponse(String partial) {
        partials.add(partial);
    }

    @Override
    public void onCompleteResponse(ChatResponse response) {
        done.complete(response);
    }

    @Override
    public void onError(Throwable error) {
        done.completeExceptionally(error);
    }

    ChatResponse await(long seconds) throws Exception {
        return done.get(seconds, TimeUnit.SECONDS);
    }

    String joined() {
        return String.join("", partials);
    }
}
