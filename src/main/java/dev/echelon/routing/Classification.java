package dev.echelon.routing;

import java.util.Map;

/**
 * What the {@link Classifier} made of a request.
 *
 * @param category   one of {@link TaskCategory#CLASSIFIED}
 * @param difficulty estimated difficulty in [0, 1] (0 trivial, 1 very hard); from observable features only
 * @param confidence how clearly the winning category beat the runner-up, in [0, 1]: (top − second) / top
 * @param scores     rule score per category (for explanations)
 */
public record Classification(String category, double difficulty, double confidence, Map<String, Double> scores) {

    public Classification {
        scores = Map.copyOf(scores);
    }
}
