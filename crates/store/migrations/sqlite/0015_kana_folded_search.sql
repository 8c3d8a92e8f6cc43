-- Search folds hiragana to katakana (だんじり finds ダンジリ). The migrator refolds every
-- proposal's search_text and rebuilds the index right after this file, in the same
-- transaction (crates/store/src/search.rs, KANA_MIGRATION); here the old index is emptied.
INSERT INTO proposal_search (proposal_search) VALUES ('delete-all');
