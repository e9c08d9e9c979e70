package dev.echelon.registry;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.math.BigInteger;
import java.util.List;

/**
 * Reads YAML into a Jackson tree by walking the parser's tokens ourselves, because the stock tree reader lets a
 * duplicated key silently replace the first one — and a duplicated role must be an error, not a surprise.
 */
final class YamlTree {

    private static final YAMLFactory FACTORY = new YAMLFactory();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private YamlTree() {
    }

    /** Parses {@code text}; duplicate keys are reported into {@code errors} as {@code path: duplicate key}. */
    static JsonNode parse(String text, List<String> errors, String file) throws IOException {
        try (JsonParser parser = FACTORY.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return NODES.objectNode();
            }
            return read(parser, "", errors, file);
        }
    }

    private static JsonNode read(JsonParser p, String path, List<String> errors, String file) throws IOException {
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT: {
                ObjectNode obj = NODES.objectNode();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    JsonLocation loc = p.currentTokenLocation();
                    p.nextToken();
                    String childPath = path.isEmpty() ? name : path + "." + name;
                    JsonNode value = read(p, childPath, errors, file);
                    if (obj.has(name)) {
                        errors.add(file + ": " + childPath + ": duplicate key (line " + loc.getLineNr()
                                + "; the first definition is kept)");
                    } else {
                        obj.set(name, value);
                    }
                }
                return obj;
            }
            case START_ARRAY: {
                ArrayNode arr = NODES.arrayNode();
                int i = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    arr.add(read(p, path + "[" + i + "]", errors, file));
                    i++;
                }
                return arr;
            }
            case VALUE_STRING:
                return NODES.textNode(p.getText());
            case VALUE_NUMBER_INT:
                BigInteger big = p.getBigIntegerValue();
                return big.bitLength() < 64 ? NODES.numberNode(big.longValue()) : NODES.numberNode(big);
            case VALUE_NUMBER_FLOAT:
                return NODES.numberNode(p.getDoubleValue());
            case VALUE_TRUE:
                return NODES.booleanNode(true);
            case VALUE_FALSE:
                return NODES.booleanNode(false);
            case VALUE_NULL:
                return NODES.nullNode();
            default:
                throw new IOException("unexpected YAML token " + t + " at " + path);
        }
    }
}
