package tcloud

import "slices"

// Undoing audit-log delivery: CloseKafkaConsumer, DeleteTopic, DeleteLogset (CLS 2020-10-16).

func (s *Server) closeKafkaConsumer(r *request) (any, *apiError) {
	t, e := s.consumerTopic(r)
	if e != nil {
		return nil, e
	}
	t.consumer = nil
	return map[string]any{}, nil
}

func (s *Server) deleteTopic(r *request) (any, *apiError) {
	var in struct{ TopicId *string }
	if e := decode(r, &in, "TopicId"); e != nil {
		return nil, e
	}
	if e := s.requireRegion(r); e != nil {
		return nil, e
	}
	reg := s.clsRegion(r.region)
	i := slices.IndexFunc(reg.topics, func(t *clsTopic) bool { return t.id == *in.TopicId })
	if i < 0 {
		return nil, errorf("ResourceNotFound.TopicNotExist", "topic %s does not exist in %s", *in.TopicId, r.region)
	}
	reg.topics = slices.Delete(reg.topics, i, i+1)
	return map[string]any{}, nil
}

func (s *Server) deleteLogset(r *request) (any, *apiError) {
	var in struct{ LogsetId *string }
	if e := decode(r, &in, "LogsetId"); e != nil {
		return nil, e
	}
	if e := s.requireRegion(r); e != nil {
		return nil, e
	}
	reg := s.clsRegion(r.region)
	i := slices.IndexFunc(reg.logsets, func(l *logset) bool { return l.id == *in.LogsetId })
	if i < 0 {
		return nil, errorf("ResourceNotFound.LogsetNotExist", "logset %s does not exist in %s", *in.LogsetId, r.region)
	}
	if slices.ContainsFunc(reg.topics, func(t *clsTopic) bool { return t.logsetID == *in.LogsetId }) {
		return nil, errorf("FailedOperation.LogsetNotEmpty", "logset %s still has topics", *in.LogsetId)
	}
	reg.logsets = slices.Delete(reg.logsets, i, i+1)
	return map[string]any{}, nil
}

// consumerTopic reads a Kafka-consumer request, whose only field is FromTopicId, and finds the topic.
func (s *Server) consumerTopic(r *request) (*clsTopic, *apiError) {
	var in struct{ FromTopicId *string }
	if e := decode(r, &in, "FromTopicId"); e != nil {
		return nil, e
	}
	if e := s.requireRegion(r); e != nil {
		return nil, e
	}
	t := s.clsRegion(r.region).topic(*in.FromTopicId)
	if t == nil {
		return nil, errorf("ResourceNotFound.TopicNotExist", "topic %s does not exist in %s", *in.FromTopicId, r.region)
	}
	return t, nil
}

// KafkaConsumerScope returns the ScopeType a topic's Kafka consumption was opened with (0 latest, 1
// history and latest), for tests; ok is false when consumption is not open.
func (s *Server) KafkaConsumerScope(region, topicID string) (scope int64, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.clsRegion(region).topic(topicID)
	if t == nil || t.consumer == nil {
		return 0, false
	}
	return t.consumer.scopeType, true
}
