package dev.echelon.memory;

/**
 * A memory found for a query.
 *
 * @param similarity cosine similarity of the memory to the query
 * @param score      what recall ranks by: similarity × usefulness
 */
public record Recalled(Memory memory, double similarity, double score) {
}
